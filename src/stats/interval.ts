/**
 * Interval method names, spelled as in the report format. They are wilson
 * (Wilson score), exact (Clopper–Pearson), clustered (normal interval with a
 * cluster-robust standard error), paired (interval of a paired difference),
 * newcombe (Newcombe's hybrid score interval for independent proportions) and
 * bootstrap (percentile bootstrap). Three names are not in
 * the report format yet: `t`, a Student t interval over independent units
 * such as cluster means; `wald`, a normal interval from an asymptotic standard
 * error (Cohen's kappa); and `delong`, DeLong's interval for an AUROC.
 */
export type IntervalMethod =
  | "wilson"
  | "exact"
  | "clustered"
  | "paired"
  | "newcombe"
  | "bootstrap"
  | "t"
  | "wald"
  | "delong";

/** A two-sided confidence interval with its confidence level and method. */
export interface Interval {
  readonly lower: number;
  readonly upper: number;
  /** Confidence level as a fraction, for example 0.95. */
  readonly level: number;
  readonly method: IntervalMethod;
}

/** The default confidence level of every interval function. */
export const DEFAULT_LEVEL = 0.95;

/** Clamps `value` into [range[0], range[1]]. */
export function clip(value: number, range: readonly [number, number]): number {
  return Math.min(range[1], Math.max(range[0], value));
}

/** Returns the bare interval fields of a result, for a report's `interval` object. */
export function intervalOf(result: Interval): Interval {
  return { lower: result.lower, upper: result.upper, level: result.level, method: result.method };
}
