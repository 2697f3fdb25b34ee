/**
 * Typed failures of a model request. Every provider throws `ProviderError`
 * for anything that went wrong between sending the request and reading a
 * usable reply, so the run engine decides on retries from data, never from
 * message text:
 *
 * - `retryable`: the same request may succeed later (429, 408, 409, 5xx,
 *   timeouts, dropped connections, a reply that is not valid JSON or lacks
 *   the expected fields).
 * - `fatal`: every later request of the run will fail the same way (401,
 *   403, 404: a bad key or an unknown model or path), so a run should stop.
 * - `retryAfterMs`: the wait the server asked for, from `retry-after-ms` or
 *   `Retry-After` (seconds or an HTTP date).
 */

import { CandorError, quote } from "../errors.js";

/** Maximum length of the body excerpt in an error, in characters. */
const BODY_EXCERPT_LENGTH = 300;

export type ProviderErrorCode =
  | "provider_http"
  | "provider_timeout"
  | "provider_network"
  | "provider_bad_response"
  | "provider_replay_missing";

export interface ProviderErrorDetails {
  /** HTTP status of the reply, when one arrived. */
  status?: number;
  retryable: boolean;
  fatal?: boolean;
  retryAfterMs?: number;
  /** The start of the reply body, whitespace collapsed. */
  body?: string;
  hint?: string;
  cause?: unknown;
}

export class ProviderError extends CandorError {
  override readonly code: ProviderErrorCode;
  readonly status: number | undefined;
  readonly retryable: boolean;
  readonly fatal: boolean;
  readonly retryAfterMs: number | undefined;
  readonly body: string | undefined;

  constructor(code: ProviderErrorCode, message: string, details: ProviderErrorDetails) {
    super(code, message, {
      ...(details.hint === undefined ? {} : { hint: details.hint }),
      ...(details.cause === undefined ? {} : { cause: details.cause }),
    });
    this.code = code;
    this.status = details.status;
    this.retryable = details.retryable;
    this.fatal = details.fatal ?? false;
    this.retryAfterMs = details.retryAfterMs;
    this.body = details.body;
  }
}

/** Shortens a reply body for an error message: whitespace collapsed, at most 300 characters. */
export function excerpt(body: string): string {
  const flat = body.replace(/\s+/g, " ").trim();
  return flat.length > BODY_EXCERPT_LENGTH ? `${flat.slice(0, BODY_EXCERPT_LENGTH - 1)}…` : flat;
}

/** True for the HTTP statuses a later attempt may get past: 408, 409, 429 and every 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * Reads the wait a server asked for, in milliseconds. `retry-after-ms` (sent
 * by OpenAI) is more precise and wins; `Retry-After` is either a number of
 * seconds or an HTTP date (RFC 9110, section 10.2.3). Returns undefined when
 * neither header contains a usable value. A date in the past gives 0.
 */
export function parseRetryAfter(headers: Headers, now: number = Date.now()): number | undefined {
  const milliseconds = headers.get("retry-after-ms");
  if (milliseconds !== null && /^\s*\d+(\.\d+)?\s*$/.test(milliseconds)) {
    return Number(milliseconds);
  }

  const value = headers.get("retry-after")?.trim();
  if (value === undefined || value === "") {
    return undefined;
  }
  if (/^\d+(\.\d+)?$/.test(value)) {
    return Number(value) * 1000;
  }
  const date = Date.parse(value);
  if (Number.isNaN(date)) {
    return undefined;
  }
  return Math.max(0, date - now);
}

/** Builds the error for a reply whose HTTP status is not 2xx. */
export function httpError(
  providerId: string,
  url: string,
  status: number,
  headers: Headers,
  body: string,
): ProviderError {
  const bodyExcerpt = excerpt(body);
  const retryable = isRetryableStatus(status);
  const fatal = status === 401 || status === 403 || status === 404;
  const retryAfterMs = parseRetryAfter(headers);

  let hint: string | undefined;
  if (status === 401 || status === 403) {
    hint = "Check the API key for this provider and that it may use this model.";
  } else if (status === 404) {
    hint =
      "Check the base URL (an OpenAI-compatible server usually ends in /v1) and the model name.";
  } else if (status === 400 || status === 422) {
    hint = "The server rejected the request; the body above says which field.";
  }

  return new ProviderError(
    "provider_http",
    `${providerId}: HTTP ${status} from ${url}${bodyExcerpt === "" ? "" : `: ${bodyExcerpt}`}`,
    {
      status,
      retryable,
      fatal,
      body: bodyExcerpt,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      ...(hint === undefined ? {} : { hint }),
    },
  );
}

/** Builds the error for a 2xx reply that cannot be used (not JSON, or missing fields). */
export function badResponseError(
  providerId: string,
  url: string,
  problem: string,
  body: string,
  status: number,
): ProviderError {
  const bodyExcerpt = excerpt(body);
  return new ProviderError(
    "provider_bad_response",
    `${providerId}: ${problem} in the reply from ${url}: ${bodyExcerpt === "" ? "(empty body)" : quote(bodyExcerpt, 200)}`,
    { status, retryable: true, body: bodyExcerpt },
  );
}

/** Builds the error for a request that ran out of time. */
export function timeoutError(
  providerId: string,
  url: string,
  timeoutMs: number | undefined,
  cause?: unknown,
): ProviderError {
  const limit = timeoutMs === undefined ? "" : ` after ${timeoutMs} ms`;
  return new ProviderError(
    "provider_timeout",
    `${providerId}: request to ${url} timed out${limit}`,
    {
      retryable: true,
      hint: "Raise the request timeout if the model is slow, or lower the concurrency.",
      cause,
    },
  );
}

/**
 * Builds the error for a failure below HTTP: refused or reset connections, a
 * socket closed mid-reply, DNS failures. Undici reports these as a TypeError
 * ("fetch failed", "terminated") whose `cause` carries the system error code.
 * A host name that does not resolve is fatal, because it will not resolve on
 * the next attempt either; everything else is retryable.
 */
export function networkError(providerId: string, url: string, error: unknown): ProviderError {
  const code = systemErrorCode(error);
  const detail = describeNetworkFailure(error);
  const fatal = code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "ERR_INVALID_URL";
  return new ProviderError(
    "provider_network",
    `${providerId}: request to ${url} failed: ${detail}`,
    {
      retryable: !fatal,
      fatal,
      cause: error,
      ...(fatal ? { hint: "Check the base URL." } : {}),
    },
  );
}

function systemErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") {
      return code;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function describeNetworkFailure(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    parts.push(typeof code === "string" ? `${current.message} (${code})` : current.message);
    current = current.cause;
  }
  return parts.length === 0 ? String(error) : parts.join(": ");
}
