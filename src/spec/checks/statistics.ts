import { quote } from "../../errors.js";
import { wilsonInterval } from "../../stats/wilson.js";
import type { Breakdown, Interval, Result } from "../generated/report.js";
import type { RegistryMetric } from "../registry.js";
import type { CheckContext } from "./context.js";

/**
 * Numeric consistency of a reported result: value and interval inside the
 * metric's range, the interval around the value, counts that fit together,
 * breakdowns that add up, and a test verdict that matches its p-value.
 */
export function checkStatistics(
  context: CheckContext,
  result: Result,
  pointer: string,
  metric: RegistryMetric | undefined,
): void {
  const range = metric?.definition.range;
  const proportion = metric?.definition.kind === "proportion";
  const cited = result.citation !== undefined;

  if (result.value !== undefined && range !== undefined) {
    checkValueRange(context, result.value, range, `${pointer}/value`);
  }
  if (result.interval !== undefined) {
    checkInterval(context, {
      interval: result.interval,
      value: result.value,
      numerator: result.numerator,
      sampleSize: result.sample_size,
      range,
      cited,
      pointer: `${pointer}/interval`,
    });
  }
  checkCounts(context, {
    value: result.value,
    numerator: result.numerator,
    sampleSize: result.sample_size,
    proportion,
    pointer,
  });
  if (
    result.clusters !== undefined &&
    result.sample_size !== undefined &&
    result.clusters > result.sample_size
  ) {
    context.add(
      "sample.clusters_exceed",
      `${pointer}/clusters`,
      `clusters (${result.clusters}) is larger than sample_size (${result.sample_size})`,
      "each cluster contains at least one unit: clusters is at most sample_size, and equal to it when units are independent",
      result.clusters,
    );
  }
  for (const [index, breakdown] of (result.breakdowns ?? []).entries()) {
    checkBreakdown(context, result, breakdown, `${pointer}/breakdowns/${index}`, {
      range,
      proportion,
      cited,
    });
  }
  checkDimensions(context, result.breakdowns ?? [], pointer);

  const test = result.test;
  if (test !== undefined) {
    const significant = test.p_value < test.alpha;
    if ((test.verdict === "detected") !== significant) {
      context.add(
        "test.verdict_mismatch",
        `${pointer}/test/verdict`,
        `verdict ${quote(test.verdict)} contradicts p_value ${test.p_value} at alpha ${test.alpha}`,
        significant
          ? "p_value < alpha means the effect is detected: set verdict to detected"
          : "detected requires p_value < alpha: set verdict to not_detected or inconclusive, as the registry defines them",
        test.verdict,
      );
    }
  }
}

type Range = readonly [number | null, number | null];

function checkValueRange(
  context: CheckContext,
  value: number,
  range: Range,
  pointer: string,
): void {
  const [low, high] = range;
  if ((low !== null && value < low) || (high !== null && value > high)) {
    context.add(
      "value.out_of_range",
      pointer,
      `value ${value} is outside the metric's range ${formatRange(range)}`,
      "write the value in the registry's unit (proportions as 0 to 1, not percent)",
      value,
    );
  }
}

interface IntervalCheck {
  interval: Interval;
  value: number | undefined;
  numerator: number | undefined;
  sampleSize: number | undefined;
  range: Range | undefined;
  /** True when the result carries a citation, so an as_printed interval has a source. */
  cited: boolean;
  pointer: string;
}

function checkInterval(context: CheckContext, check: IntervalCheck): void {
  const { interval, value, range, pointer } = check;

  if (interval.lower > interval.upper) {
    context.add(
      "interval.inverted",
      pointer,
      `lower bound ${interval.lower} is above upper bound ${interval.upper}`,
      "swap the bounds, and check how the interval was computed",
      { lower: interval.lower, upper: interval.upper },
    );
  } else if (
    value !== undefined &&
    (value < interval.lower - TOLERANCE || value > interval.upper + TOLERANCE)
  ) {
    context.add(
      "interval.excludes_value",
      pointer,
      `interval [${interval.lower}, ${interval.upper}] does not contain the value ${value}`,
      "recompute the interval around this value; both must describe the same estimate",
      { lower: interval.lower, upper: interval.upper },
    );
  }

  if (range !== undefined) {
    const [low, high] = range;
    const bounds = [interval.lower, interval.upper];
    const outside = bounds.some(
      (bound) =>
        (low !== null && bound < low - TOLERANCE) || (high !== null && bound > high + TOLERANCE),
    );
    if (outside) {
      context.add(
        "interval.out_of_range",
        pointer,
        `interval [${interval.lower}, ${interval.upper}] reaches outside the metric's range ${formatRange(range)}`,
        "clip the bounds to the range or use an interval method that respects it (Wilson for proportions)",
        { lower: interval.lower, upper: interval.upper },
      );
    }
  }

  if (interval.method === "as_printed" && !check.cited) {
    context.add(
      "interval.as_printed_uncited",
      `${pointer}/method`,
      "the interval is marked as_printed, but the result cites no document it was copied from",
      "add a citation, or name the method that computed the interval",
      interval.method,
    );
  }
  if (interval.level === undefined && context.measured === true) {
    context.add(
      "interval.level_missing",
      `${pointer}/level`,
      "a measured interval has no confidence level",
      "add level, for example 0.95; only intervals copied from a document that does not state one may leave it out",
    );
  }

  if (
    interval.method === "wilson" &&
    interval.level !== undefined &&
    check.numerator !== undefined &&
    check.sampleSize !== undefined &&
    check.numerator <= check.sampleSize &&
    interval.lower <= interval.upper
  ) {
    const expected = wilsonInterval(check.numerator, check.sampleSize, interval.level);
    const lowerOff = Math.abs(expected.lower - interval.lower) > roundingTolerance(interval.lower);
    const upperOff = Math.abs(expected.upper - interval.upper) > roundingTolerance(interval.upper);
    if (lowerOff || upperOff) {
      context.add(
        "interval.wilson_mismatch",
        pointer,
        `a ${interval.level} Wilson interval for ${check.numerator} of ${check.sampleSize} is [${round(expected.lower)}, ${round(expected.upper)}], not [${interval.lower}, ${interval.upper}]`,
        "recompute the interval from numerator and sample_size, or name the method actually used",
        { lower: interval.lower, upper: interval.upper },
      );
    }
  }
}

interface CountCheck {
  value: number | undefined;
  numerator: number | undefined;
  sampleSize: number | undefined;
  proportion: boolean;
  pointer: string;
}

function checkCounts(context: CheckContext, check: CountCheck): void {
  const { value, numerator, sampleSize, pointer } = check;
  if (numerator === undefined || sampleSize === undefined) {
    return;
  }
  if (numerator > sampleSize) {
    context.add(
      "sample.numerator_exceeds",
      `${pointer}/numerator`,
      `numerator (${numerator}) is larger than sample_size (${sampleSize})`,
      "the numerator counts a subset of the sample: check both counts",
      numerator,
    );
    return;
  }
  if (check.proportion && value !== undefined) {
    const ratio = numerator / sampleSize;
    if (Math.abs(ratio - value) > roundingTolerance(value)) {
      context.add(
        "sample.numerator_mismatch",
        `${pointer}/numerator`,
        `numerator / sample_size = ${numerator}/${sampleSize} = ${round(ratio)}, which does not match the value ${value}`,
        "the value of a proportion is numerator / sample_size: fix whichever count or value is wrong",
        numerator,
      );
    }
  }
}

function checkBreakdown(
  context: CheckContext,
  result: Result,
  breakdown: Breakdown,
  pointer: string,
  options: { range: Range | undefined; proportion: boolean; cited: boolean },
): void {
  const keys = new Set<string>();
  let sizeSum = 0;
  let numeratorSum = 0;
  let everyNumerator = true;

  for (const [index, group] of breakdown.groups.entries()) {
    const groupPointer = `${pointer}/groups/${index}`;
    if (keys.has(group.key)) {
      context.add(
        "breakdown.duplicate_group",
        `${groupPointer}/key`,
        `group ${quote(group.key)} appears twice in breakdown ${quote(breakdown.dimension)}`,
        "merge the two groups or give them distinct keys",
        group.key,
      );
    }
    keys.add(group.key);
    sizeSum += group.sample_size;
    if (group.numerator === undefined) {
      everyNumerator = false;
    } else {
      numeratorSum += group.numerator;
    }

    if (result.sample_size !== undefined && group.sample_size > result.sample_size) {
      context.add(
        "sample.group_exceeds",
        `${groupPointer}/sample_size`,
        `group ${quote(group.key)} has sample_size ${group.sample_size}, more than the whole result's ${result.sample_size}`,
        "a group is a subset of the result's units: check the group and result counts",
        group.sample_size,
      );
    }
    if (options.range !== undefined) {
      checkValueRange(context, group.value, options.range, `${groupPointer}/value`);
    }
    checkCounts(context, {
      value: group.value,
      numerator: group.numerator,
      sampleSize: group.sample_size,
      proportion: options.proportion,
      pointer: groupPointer,
    });
    if (group.interval !== undefined) {
      checkInterval(context, {
        interval: group.interval,
        value: group.value,
        numerator: group.numerator,
        sampleSize: group.sample_size,
        range: options.range,
        cited: options.cited,
        pointer: `${groupPointer}/interval`,
      });
    }
  }

  if (breakdown.partition !== true || result.sample_size === undefined) {
    return;
  }
  if (sizeSum !== result.sample_size) {
    context.add(
      "sample.breakdown_mismatch",
      `${pointer}/groups`,
      `the groups of partition ${quote(breakdown.dimension)} hold ${sizeSum} units, but sample_size is ${result.sample_size}`,
      "in a partition every unit belongs to exactly one group: fix the counts, or set partition to false if groups overlap or leave units out",
      sizeSum,
    );
  } else if (
    everyNumerator &&
    result.numerator !== undefined &&
    numeratorSum !== result.numerator
  ) {
    context.add(
      "sample.breakdown_mismatch",
      `${pointer}/groups`,
      `the numerators of partition ${quote(breakdown.dimension)} add up to ${numeratorSum}, but numerator is ${result.numerator}`,
      "in a partition the group numerators add up to the result's numerator: fix the counts",
      numeratorSum,
    );
  }
}

function checkDimensions(
  context: CheckContext,
  breakdowns: readonly Breakdown[],
  pointer: string,
): void {
  const seen = new Set<string>();
  for (const [index, breakdown] of breakdowns.entries()) {
    if (seen.has(breakdown.dimension)) {
      context.add(
        "breakdown.duplicate_dimension",
        `${pointer}/breakdowns/${index}/dimension`,
        `two breakdowns split by ${quote(breakdown.dimension)}`,
        "merge them into one breakdown, or name the dimensions apart",
        breakdown.dimension,
      );
    }
    seen.add(breakdown.dimension);
  }
}

/** Slack for comparing bounds that went through floating-point arithmetic. */
const TOLERANCE = 1e-9;

/**
 * Returns how far a printed number may be from an exact one: half a unit in
 * its last printed decimal, and at least 0.0005, so values printed to three or
 * more decimals all get the same allowance.
 */
export function roundingTolerance(printed: number): number {
  return Math.max(5e-4, 0.5 * 10 ** -decimalPlaces(printed)) + TOLERANCE;
}

function decimalPlaces(value: number): number {
  const text = String(Math.abs(value));
  const [mantissa = "", exponent] = text.split("e");
  const fraction = mantissa.split(".")[1]?.length ?? 0;
  return Math.max(0, fraction - Number(exponent ?? 0));
}

function round(value: number): number {
  return Math.round(value * 10000) / 10000;
}

function formatRange(range: Range): string {
  return `[${range[0] ?? "-∞"}, ${range[1] ?? "∞"}]`;
}
