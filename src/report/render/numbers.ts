import type { Interval, ReasonCode, ResultStatus } from "../../spec/generated/report.js";

/** Registry units; undefined when the metric is not in the registry. */
export type Unit = "proportion" | "proportion_difference" | "score" | "ratio" | undefined;

function isPercentUnit(unit: Unit): boolean {
  return unit === "proportion" || unit === "proportion_difference";
}

/**
 * Formats a number of percent: one decimal from 1% up, two significant digits
 * below, so that 0.02% (a printed figure) is not rounded to 0.0%.
 */
function formatPercentNumber(percent: number): string {
  const magnitude = Math.abs(percent);
  if (magnitude === 0 || magnitude >= 1) {
    return percent.toFixed(1);
  }
  return percent.toPrecision(2);
}

/**
 * Formats a metric value in its unit: proportions as percentages, proportion
 * differences as percentage points, scores and ratios with three decimals.
 */
export function formatValue(value: number, unit: Unit): string {
  if (unit === "proportion") {
    return `${formatPercentNumber(value * 100)}%`;
  }
  if (unit === "proportion_difference") {
    return `${value > 0 ? "+" : ""}${formatPercentNumber(value * 100)} pp`;
  }
  return Number.isInteger(value) ? String(value) : value.toFixed(3);
}

/** Returns the sign printed before a difference: "+", "−" (minus sign) or nothing for zero. */
function signOf(value: number): string {
  if (value > 0) {
    return "+";
  }
  return value < 0 ? "−" : "";
}

/** Formats a signed difference of two values of a unit: percentage points for proportions. */
export function formatDifference(value: number, unit: Unit): string {
  const sign = signOf(value);
  const magnitude = Math.abs(value);
  if (isPercentUnit(unit)) {
    return `${sign}${formatPercentNumber(magnitude * 100)} pp`;
  }
  return `${sign}${magnitude.toFixed(3)}`;
}

/** Formats interval bounds in the value's unit, for example "[18.1%, 22.0%]". */
export function formatBounds(lower: number, upper: number, unit: Unit): string {
  if (unit === "proportion") {
    return `[${formatPercentNumber(lower * 100)}%, ${formatPercentNumber(upper * 100)}%]`;
  }
  if (unit === "proportion_difference") {
    return `[${formatPercentNumber(lower * 100)}, ${formatPercentNumber(upper * 100)}] pp`;
  }
  return `[${lower.toFixed(3)}, ${upper.toFixed(3)}]`;
}

/** Formats the bounds of a difference with signs and without the unit, for example "[−6.1, +1.9]". */
export function formatDifferenceBounds(lower: number, upper: number, unit: Unit): string {
  const one = (bound: number): string => {
    const magnitude = Math.abs(bound);
    return `${signOf(bound)}${isPercentUnit(unit) ? formatPercentNumber(magnitude * 100) : magnitude.toFixed(3)}`;
  };
  return `[${one(lower)}, ${one(upper)}]`;
}

/** Formats an interval with its level and method, for example "95% Wilson". */
export function describeInterval(interval: Interval): string {
  const method = METHOD_NAMES[interval.method] ?? interval.method;
  if (interval.level === undefined) {
    return `${method}, level not stated`;
  }
  return `${Math.round(interval.level * 1000) / 10}% ${method}`;
}

const METHOD_NAMES: Record<string, string> = {
  wilson: "Wilson",
  clustered: "clustered",
  paired: "paired",
  newcombe: "Newcombe",
  bootstrap: "bootstrap",
  exact: "Clopper-Pearson",
  as_printed: "as printed",
};

/** Formats a count with thousands separators. */
export function formatCount(count: number): string {
  return count.toLocaleString("en-US");
}

/** Formats a disclosure status in capitals, so that it is as visible as a number. */
export function statusLabel(
  status: ResultStatus | "missing" | "absent",
  reasonCode?: ReasonCode,
): string {
  switch (status) {
    case "reported":
      return "REPORTED";
    case "withheld":
      return reasonCode === undefined ? "WITHHELD" : `WITHHELD (${reasonCode})`;
    case "not_evaluated":
      return "NOT EVALUATED";
    case "not_applicable":
      return "NOT APPLICABLE";
    case "not_disclosed":
      return "NOT DISCLOSED";
    case "missing":
      return "MISSING";
    case "absent":
      return "—";
  }
}

/** Explains in one sentence what a disclosure status means. */
export function statusMeaning(status: ResultStatus | "missing" | "absent"): string {
  switch (status) {
    case "reported":
      return "A value is reported.";
    case "withheld":
      return "The publisher has the value and declines to publish it.";
    case "not_evaluated":
      return "The publisher did not measure it.";
    case "not_applicable":
      return "The metric cannot apply to this model.";
    case "not_disclosed":
      return "The cited source is silent and the reason is unknown.";
    case "missing":
      return "The report's claimed tier requires this metric, but the report leaves it out.";
    case "absent":
      return "The report does not cover this metric, and its claimed tier does not require it.";
  }
}
