import { CandorError, quote } from "../errors.js";

/** Stable codes of the input problems the statistics functions reject. */
export type StatsErrorCode =
  | "invalid_count"
  | "invalid_level"
  | "invalid_probability"
  | "invalid_value"
  | "invalid_option"
  | "empty_sample"
  | "length_mismatch"
  | "too_few_clusters"
  | "undefined_statistic";

/**
 * Invalid input to a statistics function. `parameter` names the argument and
 * `value` contains what was received, so callers can render their own message.
 */
export class StatsError extends CandorError {
  declare readonly code: StatsErrorCode;
  readonly parameter: string;
  readonly value: unknown;

  constructor(
    code: StatsErrorCode,
    parameter: string,
    value: unknown,
    message: string,
    hint?: string,
  ) {
    super(code, message, hint === undefined ? undefined : { hint });
    this.parameter = parameter;
    this.value = value;
  }
}

/**
 * Formats a received value for a message. Numbers go through `String` because
 * JSON renders NaN and Infinity as null, which would hide the actual problem.
 */
export function formatValue(value: unknown): string {
  if (typeof value === "number" || typeof value === "bigint") {
    return String(value);
  }
  return quote(value);
}
