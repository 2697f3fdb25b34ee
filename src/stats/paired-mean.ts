import { DEFAULT_LEVEL } from "./interval.js";
import { summariseWithT } from "./t-interval.js";
import {
  assertFinite,
  assertInRange,
  assertLevel,
  assertMinimumLength,
  assertRange,
} from "./validate.js";

export interface PairedMeanOptions {
  /** Confidence level of the interval, 0.95 when unset. */
  readonly level?: number;
  /** Range of the difference, for example [-1, 1] for a difference of accuracies; the interval is clipped to it. */
  readonly range?: readonly [number, number];
}

/** A mean paired difference with its t interval and paired t test. */
export interface PairedMeanDifference {
  /** Mean of first − second over the pairs. */
  readonly difference: number;
  /** Number of pairs. */
  readonly n: number;
  /** Standard deviation of the differences, divisor n − 1. */
  readonly standardDeviation: number;
  readonly standardError: number;
  readonly degreesOfFreedom: number;
  readonly lower: number;
  readonly upper: number;
  readonly level: number;
  readonly method: "paired";
  /** Paired t statistic; null when every difference is the same. */
  readonly statistic: number | null;
  /**
   * Two-sided p-value of the paired t test of a mean difference of 0. When
   * every difference is the same it is 1 if they are all 0 and 0 otherwise.
   */
  readonly pValue: number;
  readonly testName: "paired_t";
}

/**
 * Computes the mean of first − second over `pairs` (two measurements of the
 * same unit, for example one item's score under two framings) with the
 * Student t interval d̄ ± t_{n−1} · s_d / √n and the paired t test.
 */
export function pairedMeanDifference(
  pairs: readonly (readonly [number, number])[],
  options: PairedMeanOptions = {},
): PairedMeanDifference {
  const level = options.level ?? DEFAULT_LEVEL;
  assertLevel(level);
  assertMinimumLength("pairs", pairs.length, 2);
  if (options.range !== undefined) {
    assertRange("range", options.range);
  }

  const differences = new Float64Array(pairs.length);
  pairs.forEach((pair, index) => {
    assertFinite(`pairs[${index}][0]`, pair[0]);
    assertFinite(`pairs[${index}][1]`, pair[1]);
    differences[index] = pair[0] - pair[1];
    if (options.range !== undefined) {
      assertInRange(`pairs[${index}] difference`, differences[index] ?? 0, options.range);
    }
  });

  const summary = summariseWithT(differences, level, options.range);
  return {
    difference: summary.mean,
    n: summary.n,
    standardDeviation: summary.standardDeviation,
    standardError: summary.standardError,
    degreesOfFreedom: summary.degreesOfFreedom,
    lower: summary.lower,
    upper: summary.upper,
    level,
    method: "paired",
    statistic: summary.statistic,
    pValue: summary.pValue,
    testName: "paired_t",
  };
}
