import { clip } from "./interval.js";
import { studentTCdf, studentTCriticalValue } from "./student-t.js";

/** A mean of independent units with its Student t interval and test of mean 0. */
export interface TMeanSummary {
  readonly mean: number;
  readonly n: number;
  /** Sample standard deviation with divisor n − 1. */
  readonly standardDeviation: number;
  /** standardDeviation / sqrt(n). */
  readonly standardError: number;
  readonly degreesOfFreedom: number;
  readonly lower: number;
  readonly upper: number;
  /** t = mean / standardError; null when the standard error is 0. */
  readonly statistic: number | null;
  /**
   * Two-sided p-value of the test that the population mean is 0. When the
   * standard error is 0 it is 1 for a mean of 0 and 0 otherwise.
   */
  readonly pValue: number;
}

/**
 * Computes the mean of `values` with the interval mean ± t·s/√n on n − 1
 * degrees of freedom. Callers check that there are at least 2 finite values
 * and that `level` is valid.
 */
export function summariseWithT(
  values: ArrayLike<number>,
  level: number,
  range?: readonly [number, number],
): TMeanSummary {
  const n = values.length;
  let total = 0;
  for (let i = 0; i < n; i += 1) {
    total += values[i] ?? 0;
  }
  const mean = total / n;

  let sumOfSquares = 0;
  for (let i = 0; i < n; i += 1) {
    const deviation = (values[i] ?? 0) - mean;
    sumOfSquares += deviation * deviation;
  }
  const standardDeviation = Math.sqrt(sumOfSquares / (n - 1));
  const standardError = standardDeviation / Math.sqrt(n);
  const degreesOfFreedom = n - 1;

  const critical = studentTCriticalValue(level, degreesOfFreedom);
  let lower = mean - critical * standardError;
  let upper = mean + critical * standardError;
  if (range !== undefined) {
    lower = clip(lower, range);
    upper = clip(upper, range);
  }

  let statistic: number | null = null;
  let pValue = mean === 0 ? 1 : 0;
  if (standardError > 0) {
    statistic = mean / standardError;
    pValue = Math.min(1, 2 * studentTCdf(-Math.abs(statistic), degreesOfFreedom));
  }

  return {
    mean,
    n,
    standardDeviation,
    standardError,
    degreesOfFreedom,
    lower,
    upper,
    statistic,
    pValue,
  };
}
