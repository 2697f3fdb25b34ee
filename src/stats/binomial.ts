import { regularizedBeta } from "./beta.js";
import { formatValue, StatsError } from "./errors.js";
import { logBeta } from "./gamma.js";
import { assertCount, assertOpenProbability } from "./validate.js";

/**
 * The binomial distribution Bin(n, p): the probability mass function and both
 * tails, for integer k. Tails go through the regularized incomplete beta
 * function, P(X ≤ k) = I_{1−p}(n − k, k + 1), so that their cost does not grow
 * with n and small tail probabilities keep their relative precision.
 */

function assertArguments(k: number, n: number, p: number): void {
  assertCount("n", n);
  assertOpenProbability("p", p);
  if (typeof k !== "number" || !Number.isInteger(k)) {
    throw new StatsError(
      "invalid_count",
      "k",
      k,
      `k must be an integer, received ${formatValue(k)}`,
    );
  }
}

/** Computes P(X = k) for X ~ Bin(n, p). */
export function binomialPmf(k: number, n: number, p: number): number {
  assertArguments(k, n, p);
  if (k < 0 || k > n) {
    return 0;
  }
  // C(n, k) = 1 / ((n + 1) B(k + 1, n − k + 1)), and logBeta avoids the
  // cancellation of three large log-gamma values.
  const logCoefficient = -Math.log(n + 1) - logBeta(k + 1, n - k + 1);
  return Math.exp(logCoefficient + k * Math.log(p) + (n - k) * Math.log1p(-p));
}

/** Computes P(X ≤ k) for X ~ Bin(n, p). */
export function binomialCdf(k: number, n: number, p: number): number {
  assertArguments(k, n, p);
  if (k < 0) {
    return 0;
  }
  if (k >= n) {
    return 1;
  }
  return regularizedBeta(1 - p, n - k, k + 1, p);
}

/** Computes P(X ≥ k) for X ~ Bin(n, p). */
export function binomialUpperTail(k: number, n: number, p: number): number {
  assertArguments(k, n, p);
  if (k <= 0) {
    return 1;
  }
  if (k > n) {
    return 0;
  }
  return regularizedBeta(p, k, n - k + 1, 1 - p);
}
