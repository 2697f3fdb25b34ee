/**
 * Retry policy: which errors are retried, and how long to wait before the
 * next attempt.
 */

import { isTimeoutReason } from "../providers/deadline.js";
import type { ErrorClassification } from "./types.js";

/**
 * Classifies an error by the fields providers put on it, so any error type
 * can opt in: a boolean `retryable`, a boolean `fatal`, a `retryAfterMs`
 * number and an HTTP `status`. An error named TimeoutError (the engine's own
 * attempt deadline) is retryable. Every other error is final for its sample
 * and is not retried, because an unknown error is more likely a bug than a
 * passing fault.
 */
export function classifyError(error: unknown): ErrorClassification {
  if (isTimeoutReason(error)) {
    return { retryable: true, fatal: false, reason: "timeout" };
  }

  const fields = (error ?? {}) as {
    retryable?: unknown;
    fatal?: unknown;
    retryAfterMs?: unknown;
    status?: unknown;
    code?: unknown;
    name?: unknown;
  };
  const classification: ErrorClassification = {
    retryable: fields.retryable === true,
    fatal: fields.fatal === true,
    reason: errorReason(fields),
  };
  if (
    typeof fields.retryAfterMs === "number" &&
    Number.isFinite(fields.retryAfterMs) &&
    fields.retryAfterMs >= 0
  ) {
    classification.retryAfterMs = fields.retryAfterMs;
  }
  return classification;
}

function errorReason(fields: { status?: unknown; code?: unknown; name?: unknown }): string {
  // The code comes first: a reply that is not JSON has status 200, which would say nothing.
  switch (fields.code) {
    case "provider_timeout":
      return "timeout";
    case "provider_network":
      return "network";
    case "provider_bad_response":
      return "bad response";
  }
  if (typeof fields.status === "number") {
    return `HTTP ${fields.status}`;
  }
  if (typeof fields.code === "string") {
    return fields.code;
  }
  return typeof fields.name === "string" ? fields.name : "error";
}

export interface RetryDelayOptions {
  baseDelayMs: number;
  maxDelayMs: number;
  /** The wait the server asked for, if any. */
  retryAfterMs?: number;
  random: () => number;
}

/**
 * Returns the wait before the attempt after `failedAttempt` (1 for the first
 * attempt), in milliseconds. Exponential backoff with full jitter: a uniform
 * draw between 0 and min(maxDelayMs, baseDelayMs * 2^(failedAttempt - 1)).
 * A server's Retry-After raises the wait to at least what it asked, but
 * never beyond maxDelayMs, so one long Retry-After cannot stall a run; a
 * retry sent before the server's time simply fails again and uses up an
 * attempt.
 */
export function retryDelay(failedAttempt: number, options: RetryDelayOptions): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (failedAttempt - 1));
  const jittered = options.random() * ceiling;
  if (options.retryAfterMs === undefined) {
    return Math.round(jittered);
  }
  return Math.round(Math.min(options.maxDelayMs, Math.max(options.retryAfterMs, jittered)));
}
