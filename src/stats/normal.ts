// biome-ignore-all lint/correctness/noPrecisionLoss: coefficients keep the digits of their published source, so they can be checked against it; the parser rounds them to the nearest double.

import { assertFinite, assertLevel, assertOpenProbability } from "./validate.js";

/**
 * The standard normal distribution: density, CDF, upper tail and quantile.
 *
 * The CDF uses W. J. Cody's rational Chebyshev approximations (Math. Comp.,
 * 1969, 631–637, with the coefficients of SPECFUN, ACM TOMS 19, 1993), good to
 * about 16 significant digits in both tails. The quantile is Wichura's
 * algorithm AS 241 (PPND16, Applied Statistics 37, 1988, 477–484), accurate to
 * about 1 part in 1e16.
 */

const INVERSE_SQRT_TWO_PI = 0.3989422804014327;

/** Computes the standard normal density at x. */
export function normalDensity(x: number): number {
  assertFinite("x", x);
  return INVERSE_SQRT_TWO_PI * Math.exp(-0.5 * x * x);
}

/** Computes Φ(x) = P(Z ≤ x) for a standard normal Z. */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) {
    assertFinite("x", x);
  }
  return normalTails(x).lower;
}

/** Computes 1 − Φ(x) = P(Z > x), accurate where Φ(x) rounds to 1. */
export function normalSurvival(x: number): number {
  if (Number.isNaN(x)) {
    assertFinite("x", x);
  }
  return normalTails(x).upper;
}

// Cody's coefficients for |x| ≤ 0.67448975 (the central region).
const A = [
  2.2352520354606839287, 161.02823106855587881, 1067.6894854603709582, 18154.981253343561249,
];
const A_LAST = 0.065682337918207449113;
const B = [
  47.20258190468824187, 976.09855173777669322, 10260.932208618978205, 45507.789335026729956,
];

// Cody's coefficients for 0.67448975 < |x| ≤ sqrt(32).
const C = [
  0.39894151208813466764, 8.8831497943883759412, 93.506656132177855979, 597.27027639480026226,
  2494.5375852903726711, 6848.1904505362823326, 11602.651437647350124, 9842.7148383839780218,
];
const C_LAST = 1.0765576773720192317e-8;
const D = [
  22.266688044328115691, 235.38790178262499861, 1519.377599407554805, 6485.558298266760755,
  18615.571640885098091, 34900.952721145977266, 38912.003286093271411, 19685.429676859990727,
];

// Cody's coefficients for |x| > sqrt(32), an expansion in 1 / x².
const P = [
  0.21589853405795699, 0.1274011611602473639, 0.022235277870649807, 0.001421619193227893466,
  2.9112874951168792e-5,
];
const P_LAST = 0.02307344176494017303;
const Q = [
  1.28426009614491121, 0.468238212480865118, 0.0659881378689285515, 0.00378239633202758244,
  7.29751555083966205e-5,
];

const CENTRAL_LIMIT = 0.67448975;
const SQRT_32 = Math.sqrt(32);

function normalTails(x: number): { lower: number; upper: number } {
  const y = Math.abs(x);

  if (y <= CENTRAL_LIMIT) {
    const xsq = x * x;
    let numerator = A_LAST * xsq;
    let denominator = xsq;
    for (let i = 0; i < 3; i += 1) {
      numerator = (numerator + (A[i] ?? 0)) * xsq;
      denominator = (denominator + (B[i] ?? 0)) * xsq;
    }
    const half = (x * (numerator + (A[3] ?? 0))) / (denominator + (B[3] ?? 0));
    return { lower: 0.5 + half, upper: 0.5 - half };
  }

  let ratio: number;
  if (y <= SQRT_32) {
    let numerator = C_LAST * y;
    let denominator = y;
    for (let i = 0; i < 7; i += 1) {
      numerator = (numerator + (C[i] ?? 0)) * y;
      denominator = (denominator + (D[i] ?? 0)) * y;
    }
    ratio = (numerator + (C[7] ?? 0)) / (denominator + (D[7] ?? 0));
  } else if (y < 38) {
    const inverseSquare = 1 / (x * x);
    let numerator = P_LAST * inverseSquare;
    let denominator = inverseSquare;
    for (let i = 0; i < 4; i += 1) {
      numerator = (numerator + (P[i] ?? 0)) * inverseSquare;
      denominator = (denominator + (Q[i] ?? 0)) * inverseSquare;
    }
    const correction = (inverseSquare * (numerator + (P[4] ?? 0))) / (denominator + (Q[4] ?? 0));
    ratio = (INVERSE_SQRT_TWO_PI - correction) / y;
  } else {
    // Beyond |x| = 38 the smaller tail is below the smallest double.
    return x > 0 ? { lower: 1, upper: 0 } : { lower: 0, upper: 1 };
  }

  // exp(−y²/2) is split as exp(−r²/2)·exp(−(y−r)(y+r)/2), with r = y rounded
  // down to a multiple of 1/16, so that y² is never formed with rounding error.
  const rounded = Math.trunc(y * 16) / 16;
  const remainder = (y - rounded) * (y + rounded);
  const smallTail = Math.exp(-0.5 * rounded * rounded) * Math.exp(-0.5 * remainder) * ratio;

  return x > 0
    ? { lower: 1 - smallTail, upper: smallTail }
    : { lower: smallTail, upper: 1 - smallTail };
}

// AS 241 coefficients for |p − 0.5| ≤ 0.425.
const CENTRAL_NUMERATOR = [
  3.387132872796366608, 133.14166789178437745, 1971.5909503065514427, 13731.693765509461125,
  45921.953931549871457, 67265.770927008700853, 33430.575583588128105, 2509.0809287301226727,
];
const CENTRAL_DENOMINATOR = [
  1, 42.313330701600911252, 687.1870074920579083, 5394.1960214247511077, 21213.794301586595867,
  39307.89580009271061, 28729.085735721942674, 5226.495278852854561,
];

// AS 241 coefficients for r = sqrt(−ln min(p, 1 − p)) ≤ 5.
const INTERMEDIATE_NUMERATOR = [
  1.42343711074968357734, 4.6303378461565452959, 5.7694972214606914055, 3.64784832476320460504,
  1.27045825245236838258, 0.24178072517745061177, 0.0227238449892691845833,
  7.7454501427834140764e-4,
];
const INTERMEDIATE_DENOMINATOR = [
  1, 2.05319162663775882187, 1.6763848301838038494, 0.68976733498510000455, 0.14810397642748007459,
  0.0151986665636164571966, 5.475938084995344946e-4, 1.05075007164441684324e-9,
];

// AS 241 coefficients for r > 5, that is min(p, 1 − p) < exp(−25).
const TAIL_NUMERATOR = [
  6.6579046435011037772, 5.4637849111641143699, 1.7848265399172913358, 0.29656057182850489123,
  0.026532189526576123093, 0.0012426609473880784386, 2.71155556874348757815e-5,
  2.01033439929228813265e-7,
];
const TAIL_DENOMINATOR = [
  1, 0.59983220655588793769, 0.13692988092273580531, 0.0148753612908506148525,
  7.868691311456132591e-4, 1.8463183175100546818e-5, 1.4215117583164458887e-7,
  2.04426310338993978564e-15,
];

// Evaluates c[0] + c[1]·x + … + c[k]·x^k by Horner's rule.
function polynomial(coefficients: readonly number[], x: number): number {
  let result = 0;
  for (let i = coefficients.length - 1; i >= 0; i -= 1) {
    result = result * x + (coefficients[i] ?? 0);
  }
  return result;
}

/** Computes Φ⁻¹(p), the z with P(Z ≤ z) = p, for 0 < p < 1. */
export function normalQuantile(p: number): number {
  assertOpenProbability("p", p);
  const q = p - 0.5;

  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * polynomial(CENTRAL_NUMERATOR, r)) / polynomial(CENTRAL_DENOMINATOR, r);
  }

  const smaller = q < 0 ? p : 1 - p;
  let r = Math.sqrt(-Math.log(smaller));
  let value: number;
  if (r <= 5) {
    r -= 1.6;
    value = polynomial(INTERMEDIATE_NUMERATOR, r) / polynomial(INTERMEDIATE_DENOMINATOR, r);
  } else {
    r -= 5;
    value = polynomial(TAIL_NUMERATOR, r) / polynomial(TAIL_DENOMINATOR, r);
  }
  return q < 0 ? -value : value;
}

/**
 * Computes the two-sided critical value z with P(|Z| ≤ z) = level, for
 * example 1.959963984540054 for level 0.95.
 */
export function normalCriticalValue(level: number): number {
  assertLevel(level);
  // (1 + level) / 2 would round away digits when level is close to 1, so the
  // upper-tail probability is negated instead.
  return -normalQuantile((1 - level) / 2);
}
