import type { IntervalMethod as ReportIntervalMethod } from "../spec/generated/report.js";

/**
 * Interval method names as the report format spells them, less as_printed,
 * which only transcribed values use. The names come from the report schema so
 * the two cannot drift apart.
 */
export type IntervalMethod = Exclude<ReportIntervalMethod, "as_printed">;

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
