/**
 * The one HTTP call every remote provider makes: POST a JSON body, read the
 * whole reply, and turn every way that can fail into a `ProviderError`.
 *
 * It uses node:http and node:https with keep-alive agents rather than
 * `fetch`. On Node 20.20 (2-core AMD EPYC, loopback server of
 * bench/run-bench.ts) a POST with `fetch` cost about 550 us of CPU and one
 * with node:http about 180 us. At concurrency 64 against a server that
 * replies after 50 ms, the CPU cost of `fetch` alone kept a run below the
 * rate the server allows. Unlike `fetch`, this client follows no redirects,
 * so a 3xx reply is an HTTP error that names the status.
 *
 * An abort by the caller's own signal is not a provider failure: it rethrows
 * the signal's reason (an AbortError unless the caller gave another), except
 * that a reason named TimeoutError becomes a retryable timeout error.
 */

import {
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
} from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { Readable } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import { isTimeoutReason, startDeadline } from "./deadline.js";
import {
  badResponseError,
  httpError,
  networkError,
  ProviderError,
  timeoutError,
} from "./errors.js";

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

  let response: RawReply;
  let text: string;
  try {
    response = await exchange(url, options.headers, JSON.stringify(options.body), deadline.signal);
    text = response.text;
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
    if (error instanceof ReplyTooLargeError) {
      throw new ProviderError(
        "provider_bad_response",
        `${providerId}: the reply from ${url} is larger than ${MAX_REPLY_BYTES} bytes`,
        {
          retryable: false,
          hint: "Check that the base URL points at a chat completions server; a reply of a model is far smaller.",
          cause: error,
        },
      );
    }
    throw networkError(providerId, url, error);
  } finally {
    deadline.dispose();
  }

  if (response.status < 200 || response.status > 299) {
    throw httpError(providerId, url, response.status, toHeaders(response.headers), text);
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

/**
 * Largest reply body read, in bytes after decompression. A chat reply of a
 * million tokens is a few megabytes. A longer body is not read to the end, so
 * a broken or hostile server cannot exhaust memory or exceed the longest
 * string V8 can build (about 512 Mi UTF-16 code units).
 */
export const MAX_REPLY_BYTES = 64 * 1024 * 1024;

/** A reply body that passed MAX_REPLY_BYTES; postJson turns it into a ProviderError. */
class ReplyTooLargeError extends Error {
  constructor(readonly size: number) {
    super(`the reply body passed ${MAX_REPLY_BYTES} bytes (${size} read)`);
  }
}

/**
 * Idle connections are closed after 4 s, before the 5 s idle limit of Node
 * and uvicorn servers, so that a request is not written to a socket the
 * server is about to close. The agents unref idle sockets, so they never
 * keep the process alive.
 */
const IDLE_SOCKET_TIMEOUT_MS = 4000;
const httpAgent = new HttpAgent({ keepAlive: true, timeout: IDLE_SOCKET_TIMEOUT_MS });
const httpsAgent = new HttpsAgent({ keepAlive: true, timeout: IDLE_SOCKET_TIMEOUT_MS });

interface RawReply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/**
 * Sends one POST and reads the whole reply as UTF-8 text. It rejects with the
 * system error (with its `code`) when the connection fails or closes before
 * the reply is complete, and with an AbortError when `signal` aborts.
 */
function exchange(
  url: string,
  headers: Record<string, string>,
  body: string,
  signal: AbortSignal,
): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch (error) {
      reject(error);
      return;
    }
    if (target.protocol !== "http:" && target.protocol !== "https:") {
      reject(
        Object.assign(new TypeError(`unsupported protocol ${target.protocol}`), {
          code: "ERR_INVALID_URL",
        }),
      );
      return;
    }

    const secure = target.protocol === "https:";
    const payload = Buffer.from(body, "utf8");
    const send = secure ? httpsRequest : httpRequest;
    const request = send(
      target,
      {
        method: "POST",
        agent: secure ? httpsAgent : httpAgent,
        headers: { ...headers, "content-length": String(payload.length) },
        signal,
      },
      (reply) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const decoded = decodeBody(reply);
        decoded.on("data", (chunk: Buffer) => {
          size += chunk.length;
          // Counted after decompression, so a small compressed body that
          // inflates to gigabytes is stopped too.
          if (size > MAX_REPLY_BYTES) {
            reject(new ReplyTooLargeError(size));
            reply.destroy();
            decoded.destroy();
            return;
          }
          chunks.push(chunk);
        });
        decoded.on("error", reject);
        decoded.on("end", () =>
          resolve({
            status: reply.statusCode ?? 0,
            headers: reply.headers,
            text: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        reply.on("error", reject);
        reply.on("close", () => {
          if (!reply.complete) {
            reject(
              Object.assign(new Error("the connection closed before the reply was complete"), {
                code: "ECONNRESET",
              }),
            );
          }
        });
      },
    );
    request.on("error", reject);
    request.end(payload);
  });
}

/** Decompresses the reply body when a server compressed it without being asked to. */
function decodeBody(reply: IncomingMessage): Readable {
  switch (reply.headers["content-encoding"]?.trim().toLowerCase()) {
    case "gzip":
    case "x-gzip":
      return reply.pipe(createGunzip());
    case "deflate":
      return reply.pipe(createInflate());
    case "br":
      return reply.pipe(createBrotliDecompress());
    default:
      return reply;
  }
}

/** Reply headers as a fetch `Headers` object, which the error builders read. */
function toHeaders(raw: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (Array.isArray(value)) {
      for (const item of value) {
        headers.append(name, item);
      }
    } else if (value !== undefined) {
      headers.append(name, value);
    }
  }
  return headers;
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
