import { logBeta } from "./gamma.js";

/**
 * The regularized incomplete beta function and its inverse, behind the
 * binomial tail, the Student t distribution and the Clopper–Pearson interval.
 * Arguments are assumed valid: callers check them and raise typed errors.
 */

const EPSILON = 1e-16;
const TINY = 1e-300;
const MAX_ITERATIONS = 100_000;

/**
 * Computes I_x(a, b) for a, b > 0 and 0 ≤ x ≤ 1. Pass `complement` = 1 − x
 * when it is known more precisely than `1 - x` rounds to (as for x near 1).
 */
export function regularizedBeta(x: number, a: number, b: number, complement = 1 - x): number {
  if (x <= 0) {
    return 0;
  }
  if (complement <= 0) {
    return 1;
  }

  // ln x and ln(1 − x) come from whichever of x and 1 − x is further from 1,
  // because ln of a number near 1 loses the digits its rounding lost.
  const logX = x <= 0.5 ? Math.log(x) : Math.log1p(-complement);
  const logComplement = complement <= 0.5 ? Math.log(complement) : Math.log1p(-x);
  const logFront = a * logX + b * logComplement - logBeta(a, b);

  // The continued fraction converges fast for x < (a + 1) / (a + b + 2). On the
  // other side the symmetry I_x(a, b) = 1 − I_{1−x}(b, a) is used instead.
  if (x < (a + 1) / (a + b + 2)) {
    return (Math.exp(logFront) * betaContinuedFraction(x, a, b)) / a;
  }
  return 1 - (Math.exp(logFront) * betaContinuedFraction(complement, b, a)) / b;
}

// Continued fraction for I_x(a, b), evaluated by the modified Lentz method
// where it converges fast.
function betaContinuedFraction(x: number, a: number, b: number): number {
  const sum = a + b;
  let c = 1;
  let d = 1 - (sum * x) / (a + 1);
  if (Math.abs(d) < TINY) {
    d = TINY;
  }
  d = 1 / d;
  let h = d;

  for (let m = 1; m <= MAX_ITERATIONS; m += 1) {
    const m2 = 2 * m;

    // Even step of the fraction.
    let numerator = (m * (b - m) * x) / ((a - 1 + m2) * (a + m2));
    d = 1 + numerator * d;
    if (Math.abs(d) < TINY) {
      d = TINY;
    }
    c = 1 + numerator / c;
    if (Math.abs(c) < TINY) {
      c = TINY;
    }
    d = 1 / d;
    h *= d * c;

    // Odd step of the fraction.
    numerator = (-(a + m) * (sum + m) * x) / ((a + m2) * (a + 1 + m2));
    d = 1 + numerator * d;
    if (Math.abs(d) < TINY) {
      d = TINY;
    }
    c = 1 + numerator / c;
    if (Math.abs(c) < TINY) {
      c = TINY;
    }
    d = 1 / d;
    const delta = d * c;
    h *= delta;

    if (Math.abs(delta - 1) < EPSILON) {
      return h;
    }
  }
  throw new Error(`incomplete beta continued fraction did not converge for x=${x}, a=${a}, b=${b}`);
}

/**
 * Computes x with I_x(a, b) = p for a, b > 0 and 0 ≤ p ≤ 1: the p-quantile of
 * the Beta(a, b) distribution.
 *
 * Newton steps on I_x(a, b) are kept inside a bracket that shrinks every
 * iteration. A step that would leave it is replaced by bisection, taken on
 * the log scale near 0 so that quantiles as small as 1e-300 are reached.
 */
export function inverseRegularizedBeta(p: number, a: number, b: number): number {
  if (p <= 0) {
    return 0;
  }
  if (p >= 1) {
    return 1;
  }

  // Work in the lower tail of whichever side is smaller, where relative
  // precision of the target probability is best.
  if (p > 0.5) {
    return 1 - inverseLowerTail(1 - p, b, a);
  }
  return inverseLowerTail(p, a, b);
}

function inverseLowerTail(p: number, a: number, b: number): number {
  const logNormaliser = logBeta(a, b);
  let lower = 0;
  let upper = 1;
  let x = a / (a + b);

  for (let iteration = 0; iteration < 1000; iteration += 1) {
    const value = regularizedBeta(x, a, b) - p;
    if (value === 0) {
      return x;
    }
    if (value < 0) {
      lower = x;
    } else {
      upper = x;
    }

    const logDensity = (a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x) - logNormaliser;
    let next = x - value / Math.exp(logDensity);
    if (!(next > lower && next < upper)) {
      next = lower > 0 ? Math.sqrt(lower * upper) : upper * 1e-3;
      if (lower > 0 && upper / lower < 4) {
        next = 0.5 * (lower + upper);
      }
    }

    if (Math.abs(next - x) <= 1e-15 * x || upper - lower <= 1e-15 * upper) {
      return next;
    }
    x = next;
  }
  return x;
}
