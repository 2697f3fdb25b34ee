import { formatValue, StatsError } from "./errors.js";

/** Throws unless `value` is a finite number. */
export function assertFinite(parameter: string, value: number): void {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new StatsError(
      "invalid_value",
      parameter,
      value,
      `${parameter} must be a finite number, received ${formatValue(value)}`,
      "Remove NaN and infinite values, or the units that produced them, before computing statistics.",
    );
  }
}

/** Throws unless `value` is a non-negative integer count. */
export function assertCount(parameter: string, value: number): void {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new StatsError(
      "invalid_count",
      parameter,
      value,
      `${parameter} must be a non-negative integer, received ${formatValue(value)}`,
      "Pass counts of units, not rates or percentages.",
    );
  }
}

/** Throws unless `n` is a positive count and `successes` is a count no larger than `n`. */
export function assertSuccesses(
  successes: number,
  n: number,
  names: { successes: string; n: string } = { successes: "successes", n: "n" },
): void {
  assertCount(names.n, n);
  if (n === 0) {
    throw new StatsError(
      "invalid_count",
      names.n,
      n,
      `${names.n} must be at least 1, received 0`,
      "A proportion needs at least one unit in its denominator; report the metric as not evaluated instead.",
    );
  }
  assertCount(names.successes, successes);
  if (successes > n) {
    throw new StatsError(
      "invalid_count",
      names.successes,
      successes,
      `${names.successes} (${successes}) must not exceed ${names.n} (${n})`,
      "Check that numerator and denominator count the same units.",
    );
  }
}

/** Throws unless `level` is a confidence level strictly between 0 and 1. */
export function assertLevel(level: number, parameter = "level"): void {
  if (typeof level !== "number" || !(level > 0 && level < 1)) {
    throw new StatsError(
      "invalid_level",
      parameter,
      level,
      `${parameter} must be strictly between 0 and 1, received ${formatValue(level)}`,
      "Pass the confidence level as a fraction, for example 0.95 rather than 95.",
    );
  }
}

/** Throws unless `p` is a probability strictly between 0 and 1. */
export function assertOpenProbability(parameter: string, p: number): void {
  if (typeof p !== "number" || !(p > 0 && p < 1)) {
    throw new StatsError(
      "invalid_probability",
      parameter,
      p,
      `${parameter} must be strictly between 0 and 1, received ${formatValue(p)}`,
    );
  }
}

/** Throws unless `value` is a finite number inside [range[0], range[1]]. */
export function assertInRange(
  parameter: string,
  value: number,
  range: readonly [number, number],
): void {
  assertFinite(parameter, value);
  if (value < range[0] || value > range[1]) {
    throw new StatsError(
      "invalid_value",
      parameter,
      value,
      `${parameter} must lie in [${range[0]}, ${range[1]}], received ${formatValue(value)}`,
      "Check the metric's range, or pass the range option that matches the values.",
    );
  }
}

/** Throws unless `range` is a finite interval with lower end below upper end. */
export function assertRange(parameter: string, range: readonly [number, number]): void {
  const [lower, upper] = range;
  if (!Number.isFinite(lower) || !Number.isFinite(upper) || !(lower < upper)) {
    throw new StatsError(
      "invalid_option",
      parameter,
      range,
      `${parameter} must be [lower, upper] with finite lower < upper, received ${formatValue(range)}`,
    );
  }
}

/** Throws when two inputs that must pair up element by element differ in length. */
export function assertSameLength(
  names: readonly [string, string],
  lengths: readonly [number, number],
): void {
  if (lengths[0] !== lengths[1]) {
    throw new StatsError(
      "length_mismatch",
      names[1],
      lengths[1],
      `${names[0]} has ${lengths[0]} elements but ${names[1]} has ${lengths[1]}`,
      "Pass one entry per unit in both inputs, in the same order.",
    );
  }
}

/** Throws when an input that needs at least `minimum` units has fewer. */
export function assertMinimumLength(parameter: string, length: number, minimum: number): void {
  if (length < minimum) {
    throw new StatsError(
      "empty_sample",
      parameter,
      length,
      `${parameter} needs at least ${minimum} ${minimum === 1 ? "unit" : "units"}, received ${length}`,
    );
  }
}
