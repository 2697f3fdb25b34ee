import { formatValue, StatsError } from "./errors.js";
import { assertOpenProbability } from "./validate.js";

/** Outcome of a detection test, as the report format's `test.verdict` spells it. */
export type Verdict = "detected" | "not_detected" | "inconclusive";

/**
 * Direction of the effect being tested. greater: the effect is a positive
 * difference (for example neutral accuracy minus pressured accuracy);
 * less: a negative one; two-sided: either.
 */
export type Alternative = "greater" | "less" | "two-sided";

export interface VerdictInput {
  /** Interval of the effect, with its confidence level. */
  readonly interval: { readonly lower: number; readonly upper: number; readonly level: number };
  /** Significance level of the test, for example 0.05. */
  readonly alpha: number;
  readonly alternative: Alternative;
  /**
   * Smallest effect size that matters, a positive number in the unit of the
   * effect. An effect is ruled out only when the interval excludes every
   * effect at least this large.
   */
  readonly minimumEffect: number;
  /**
   * p-value of the test of no effect for `alternative`, when a test such as
   * McNemar's exact test is reported beside the interval. When unset, the
   * interval decides significance.
   */
  readonly pValue?: number;
}

export interface VerdictResult {
  readonly verdict: Verdict;
  /** Basis of the detection decision: the given p-value, or whether the interval excludes 0. */
  readonly decidedBy: "p_value" | "interval";
}

/**
 * Decides whether an effect was detected, ruled out, or neither.
 *
 * detected: the test of no effect rejects at `alpha`. With a p-value that is
 * p < alpha. Without one it is the interval excluding 0 on the tested side:
 * lower > 0 for greater, upper < 0 for less, either for two-sided.
 *
 * not_detected: not detected, and the interval excludes every effect of at
 * least `minimumEffect`: upper < minimumEffect for greater, lower >
 * −minimumEffect for less, both for two-sided. This is an equivalence
 * (non-superiority) test at the same alpha, so "not detected" means the data
 * rule out an effect that matters, not merely that none was found.
 *
 * inconclusive: neither. The interval is too wide to tell a zero effect from
 * one that matters, which is how a sample with too little power shows up.
 *
 * The interval's level must match the test. For a one-sided test at alpha it
 * is 1 − 2·alpha (each bound of that interval is a one-sided bound at 1 −
 * alpha), so a 0.05 test takes a 90% interval. For a two-sided test it is
 * 1 − alpha; its bounds are then one-sided bounds at 1 − alpha/2, which makes
 * the not_detected rule conservative.
 */
export function decideVerdict(input: VerdictInput): VerdictResult {
  const { interval, alpha, alternative, minimumEffect, pValue } = input;
  assertOpenProbability("alpha", alpha);
  if (!(Number.isFinite(minimumEffect) && minimumEffect > 0)) {
    throw new StatsError(
      "invalid_option",
      "minimumEffect",
      minimumEffect,
      `minimumEffect must be a positive number, received ${formatValue(minimumEffect)}`,
      "State the smallest effect that matters, in the unit of the effect, for example 0.05 for five percentage points.",
    );
  }
  if (
    !(
      Number.isFinite(interval.lower) &&
      Number.isFinite(interval.upper) &&
      interval.lower <= interval.upper
    )
  ) {
    throw new StatsError(
      "invalid_value",
      "interval",
      interval,
      `interval must have finite bounds with lower <= upper, received ${formatValue(interval)}`,
    );
  }
  if (pValue !== undefined && !(pValue >= 0 && pValue <= 1)) {
    throw new StatsError(
      "invalid_probability",
      "pValue",
      pValue,
      `pValue must lie in [0, 1], received ${formatValue(pValue)}`,
    );
  }

  const expectedLevel = alternative === "two-sided" ? 1 - alpha : 1 - 2 * alpha;
  if (Math.abs(interval.level - expectedLevel) > 1e-9) {
    throw new StatsError(
      "invalid_level",
      "interval.level",
      interval.level,
      `a ${alternative} test at alpha ${alpha} needs an interval at level ${expectedLevel}, received ${formatValue(interval.level)}`,
      "Compute the interval at the level the test needs and pass that.",
    );
  }

  const excludesZero =
    alternative === "greater"
      ? interval.lower > 0
      : alternative === "less"
        ? interval.upper < 0
        : interval.lower > 0 || interval.upper < 0;
  const detected = pValue === undefined ? excludesZero : pValue < alpha;
  const decidedBy = pValue === undefined ? "interval" : "p_value";
  if (detected) {
    return { verdict: "detected", decidedBy };
  }

  const rulesOutEffect =
    alternative === "greater"
      ? interval.upper < minimumEffect
      : alternative === "less"
        ? interval.lower > -minimumEffect
        : interval.upper < minimumEffect && interval.lower > -minimumEffect;
  return { verdict: rulesOutEffect ? "not_detected" : "inconclusive", decidedBy };
}
