import { formatValue, StatsError } from "./errors.js";
import { clip, DEFAULT_LEVEL } from "./interval.js";
import { normalCriticalValue } from "./normal.js";
import { assertFinite, assertLevel, assertSameLength } from "./validate.js";

/** Class of a scored example: 1 or true for positive, 0 or false for negative. */
export type BinaryLabel = 0 | 1 | boolean;

/** Area under the ROC curve with DeLong's standard error and interval. */
export interface Auroc {
  /** P(score of a positive > score of a negative) + ½ P(tie). */
  readonly auroc: number;
  /** Mann–Whitney U of the positives: auroc × positives × negatives. */
  readonly mannWhitneyU: number;
  readonly positives: number;
  readonly negatives: number;
  /** DeLong's standard error. */
  readonly standardError: number;
  readonly lower: number;
  readonly upper: number;
  readonly level: number;
  readonly method: "delong";
}

/**
 * Computes the AUROC of `scores` (higher means more likely positive) against
 * `labels` as the Mann–Whitney statistic, with ties between a positive and a
 * negative counted as one half, and a normal interval auroc ± z·SE clipped to
 * [0, 1].
 *
 * The standard error is that of DeLong, DeLong and Clarke-Pearson (1988), from the structural components V₁₀(xᵢ) = share of negatives
 * scored below positive i (ties ½) and V₀₁(yⱼ) = share of positives scored
 * above negative j (ties ½):
 *
 *   Var = s²(V₁₀) / m + s²(V₀₁) / n
 *
 * with m positives, n negatives and sample variances of divisor m − 1 and
 * n − 1. It makes no assumption about the score distributions, unlike the
 * Hanley–McNeil (1982) formula, which assumes exponential ones. Scores are
 * sorted once and every example in a run of tied scores shares its
 * components, so the cost is O(N log N) for N examples.
 *
 * NOTE: at an AUROC of exactly 0 or 1 the components have no spread, so the
 * standard error is 0 and the interval collapses to a point. Close to those
 * values with few examples the interval is also too narrow.
 */
export function auroc(
  scores: readonly number[],
  labels: readonly BinaryLabel[],
  level = DEFAULT_LEVEL,
): Auroc {
  assertLevel(level);
  assertSameLength(["scores", "labels"], [scores.length, labels.length]);

  const total = scores.length;
  const isPositive = new Uint8Array(total);
  let positives = 0;
  for (let i = 0; i < total; i += 1) {
    assertFinite(`scores[${i}]`, scores[i] as number);
    const label = labels[i];
    if (label === 1 || label === true) {
      isPositive[i] = 1;
      positives += 1;
    } else if (label !== 0 && label !== false) {
      throw new StatsError(
        "invalid_value",
        `labels[${i}]`,
        label,
        `labels[${i}] must be 0, 1, false or true, received ${formatValue(label)}`,
      );
    }
  }
  const negatives = total - positives;
  if (positives < 2 || negatives < 2) {
    throw new StatsError(
      "empty_sample",
      "labels",
      { positives, negatives },
      `AUROC with DeLong's interval needs at least 2 positives and 2 negatives, received ${positives} positives and ${negatives} negatives`,
      "Add labelled examples of the missing class.",
    );
  }

  const order = new Uint32Array(total);
  for (let i = 0; i < total; i += 1) {
    order[i] = i;
  }
  order.sort((a, b) => (scores[a] as number) - (scores[b] as number));

  // Walk runs of tied scores in ascending order. In a run with p positives
  // and q negatives, each positive's component is (negatives so far + q/2) / n.
  // Each negative's component is (positives after the run + p/2) / m.
  let positivesBelow = 0;
  let negativesBelow = 0;
  let sumPositive = 0;
  let sumSquaresPositive = 0;
  let sumNegative = 0;
  let sumSquaresNegative = 0;

  let start = 0;
  while (start < total) {
    const score = scores[order[start] as number] as number;
    let end = start;
    let runPositives = 0;
    while (end < total && scores[order[end] as number] === score) {
      runPositives += isPositive[order[end] as number] ?? 0;
      end += 1;
    }
    const runNegatives = end - start - runPositives;

    const positiveComponent = (negativesBelow + runNegatives / 2) / negatives;
    const negativeComponent = (positives - positivesBelow - runPositives / 2) / positives;
    sumPositive += runPositives * positiveComponent;
    sumSquaresPositive += runPositives * positiveComponent * positiveComponent;
    sumNegative += runNegatives * negativeComponent;
    sumSquaresNegative += runNegatives * negativeComponent * negativeComponent;

    positivesBelow += runPositives;
    negativesBelow += runNegatives;
    start = end;
  }

  const area = sumPositive / positives;
  const negativeMean = sumNegative / negatives;
  // Variances come from sums of squares, clamped at 0 because the subtraction
  // can round to a tiny negative number when all components are equal.
  const positiveVariance = Math.max(
    0,
    (sumSquaresPositive - positives * area * area) / (positives - 1),
  );
  const negativeVariance = Math.max(
    0,
    (sumSquaresNegative - negatives * negativeMean * negativeMean) / (negatives - 1),
  );
  const standardError = Math.sqrt(positiveVariance / positives + negativeVariance / negatives);

  const z = normalCriticalValue(level);
  return {
    auroc: area,
    mannWhitneyU: area * positives * negatives,
    positives,
    negatives,
    standardError,
    lower: clip(area - z * standardError, [0, 1]),
    upper: clip(area + z * standardError, [0, 1]),
    level,
    method: "delong",
  };
}
