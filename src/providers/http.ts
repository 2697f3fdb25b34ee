/**
 * The one HTTP call every remote provider makes: POST a JSON body, read the
 * whole reply, and turn every way that can fail into a `ProviderError`.
 * Plain `fetch` (undici, built into Node 20) keeps connections alive per
 * origin, so concurrent requests reuse sockets without an SDK.
 *
 * An abort by the caller's own signal is not a provider failure: it rethrows
 * the signal's reason (an AbortError unless the caller gave another), except
 * that a reason named TimeoutError becomes a retryable timeout error.
 */

import { isTimeoutReason, startDeadline } from "./deadline.js";
import { badResponseError, httpError, networkError, timeoutError } from "./errors.js";

export interface PostJsonOptions {
  /** Provider id for error messages, for example openai:llama-3-8b. */
  providerId: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  /** Time limit for the whole exchange, body included, in milliseconds; none when undefined. */
  timeoutMs: number | undefined;
  signal: AbortSignal | undefined;
}

export interface JsonReply {
  status: number;
  json: unknown;
  /** The raw body, for error excerpts when a field turns out to be missing. */
  text: string;
}

export async function postJson(options: PostJsonOptions): Promise<JsonReply> {
  const { providerId, url } = options;
  const deadline = startDeadline(options.signal, options.timeoutMs);

  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: options.headers,
      body: JSON.stringify(options.body),
      signal: deadline.signal,
    });
    text = await response.text();
  } catch (error) {
    if (deadline.signal.aborted) {
      const reason: unknown = deadline.signal.reason;
      if (deadline.timedOut || isTimeoutReason(reason)) {
        throw timeoutError(
          providerId,
          url,
          deadline.timedOut ? options.timeoutMs : undefined,
          error,
        );
      }
      throw reason instanceof Error
        ? reason
        : new DOMException("The request was aborted", "AbortError");
    }
    throw networkError(providerId, url, error);
  } finally {
    deadline.dispose();
  }

  if (!response.ok) {
    throw httpError(providerId, url, response.status, response.headers, text);
  }

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw badResponseError(providerId, url, "invalid JSON", text, response.status);
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw badResponseError(
      providerId,
      url,
      "a JSON value that is not an object",
      text,
      response.status,
    );
  }
  return { status: response.status, json, text };
}

/** Joins a base URL and a path with exactly one slash between them. */
export function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
}

/** Parses tool-call argument text into an object, keeping the raw text when it is not a JSON object. */
export function parseToolArguments(text: string): {
  arguments: Record<string, unknown>;
  argumentsError?: string;
} {
  if (text.trim() === "") {
    return { arguments: {} };
  }
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      return { arguments: value as Record<string, unknown> };
    }
  } catch {
    // Falls through: the model wrote arguments that are not JSON.
  }
  return { arguments: {}, argumentsError: text };
}
