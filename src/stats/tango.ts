import type { PairedTable } from "./paired-proportion.js";

/**
 * Computes Tango's asymptotic score interval (Tango 1998) for p1 − p2 from a paired table with n pairs, b pairs
 * where only the first outcome is a success and c where only the second is.
 * It contains every δ that the score test of H0: p1 − p2 = δ does not reject,
 *
 *   |T(δ)| ≤ z,  T(δ) = (b − c − nδ) / sqrt(n (2 q̃(δ) + δ (1 − δ))),
 *
 * where q̃(δ) is the maximum-likelihood estimate of the "second only" cell
 * probability under H0, the root of a quadratic: with A = 2n,
 * B = −b − c + (2n − b + c)δ and C = −c δ (1 − δ),
 * q̃ = (sqrt(B² − 4AC) − B) / (2A). Each bound is found by bisection to
 * machine precision; T decreases from +∞ to −∞ across [−1, 1].
 */
export function tangoInterval(table: PairedTable, z: number): { lower: number; upper: number } {
  const n = table.both + table.firstOnly + table.secondOnly + table.neither;
  const b = table.firstOnly;
  const c = table.secondOnly;
  const estimate = (b - c) / n;

  const statistic = (delta: number): number => {
    const quadraticA = 2 * n;
    const quadraticB = -b - c + (2 * n - b + c) * delta;
    const quadraticC = -c * delta * (1 - delta);
    const discriminant = Math.max(0, quadraticB * quadraticB - 4 * quadraticA * quadraticC);
    const secondOnlyProbability = (Math.sqrt(discriminant) - quadraticB) / (2 * quadraticA);
    const numerator = b - c - n * delta;
    const variance = n * (2 * secondOnlyProbability + delta * (1 - delta));
    if (!(variance > 0)) {
      return numerator === 0
        ? 0
        : numerator > 0
          ? Number.POSITIVE_INFINITY
          : Number.NEGATIVE_INFINITY;
    }
    return numerator / Math.sqrt(variance);
  };

  return {
    lower: estimate === -1 ? -1 : solveDecreasing(statistic, z, -1, estimate),
    upper: estimate === 1 ? 1 : solveDecreasing(statistic, -z, estimate, 1),
  };
}

// Finds δ in [low, high] with f(δ) = target for a decreasing f, or the end of
// the range when f stays on one side of target across it.
function solveDecreasing(
  f: (x: number) => number,
  target: number,
  low: number,
  high: number,
): number {
  if (f(low) <= target) {
    return low;
  }
  if (f(high) >= target) {
    return high;
  }
  let below = low;
  let above = high;
  for (let iteration = 0; iteration < 200; iteration += 1) {
    const middle = 0.5 * (below + above);
    if (middle === below || middle === above) {
      break;
    }
    if (f(middle) > target) {
      below = middle;
    } else {
      above = middle;
    }
  }
  return 0.5 * (below + above);
}
