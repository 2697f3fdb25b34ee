/**
 * A real HTTP server on 127.0.0.1 speaking the OpenAI chat-completions wire
 * format (non-streaming), for tests and benchmarks of anything that calls a
 * model. It is programmable per request:
 *
 * - `latencyMs`: a fixed delay before each reply.
 * - `respond`: a function from the request to the reply (text, or text with
 *   tool calls); the default echoes the last user message.
 * - `fault`: a function that may pick a fault for a request, and
 *   `queueFaults` for the next requests in order. Faults: an HTTP status
 *   (429 with Retry-After, 500, 503...), `hang` (never reply), `malformed`
 *   (200 with a body that is not JSON), `missing_fields` (200 JSON without
 *   `choices`), `drop` (headers and half the body, then the socket is
 *   destroyed) and `reset` (the socket is destroyed before any reply).
 * - `stats`: requests received, requests in flight and the most in flight at
 *   once, replies by status and faults by kind.
 *
 * `startWireServer` holds the protocol-independent machinery; the Anthropic
 * test server reuses it with its own wire format.
 */

import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";

export type Fault =
  | { kind: "status"; status: number; retryAfter?: string; retryAfterMs?: number; message?: string }
  | { kind: "hang" }
  | { kind: "malformed" }
  | { kind: "missing_fields" }
  | { kind: "drop" }
  | { kind: "reset" };

export interface ReplyToolCall {
  id?: string;
  name: string;
  /** An object is sent as JSON text (OpenAI) or as the input object (Anthropic); a string is sent as is. */
  arguments: Record<string, unknown> | string;
}

export interface Reply {
  content?: string;
  toolCalls?: ReplyToolCall[];
  /** Wire value; defaults to the protocol's value for a finished turn or a tool-call turn. */
  finishReason?: string;
  model?: string;
  reasoning?: string;
}

export interface SeenRequest {
  /** 0 for the first request the server received. */
  index: number;
  /** When the whole request had arrived, on the performance.now() clock of this process. */
  receivedAt: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, or undefined when the body was not JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary fields of the wire format they check.
  body: any;
}

export type Responder = (request: SeenRequest) => Reply | string | Promise<Reply | string>;

export interface WireServerOptions {
  latencyMs?: number;
  respond?: Responder;
  fault?: (request: SeenRequest) => Fault | undefined;
  /** When set, requests must carry this key, or get 401. */
  apiKey?: string;
  /** Number of most recent requests kept in `requests` (default 1,000). */
  keepRequests?: number;
}

export interface ServerStats {
  received: number;
  inFlight: number;
  maxInFlight: number;
  /** Replies sent, by HTTP status. */
  statuses: Record<number, number>;
  /** Faults injected, by kind. */
  faults: Record<string, number>;
}

export interface TestServer {
  /** Base URL to give the provider. */
  readonly url: string;
  readonly port: number;
  /** Most recent requests, oldest first. */
  readonly requests: SeenRequest[];
  readonly stats: ServerStats;
  /** Changes the options for the requests that follow. */
  set(options: Partial<WireServerOptions>): void;
  /** Makes the next requests fail with these faults, in order, before `fault` is asked. */
  queueFaults(...faults: Fault[]): void;
  resetStats(): void;
  close(): Promise<void>;
}

/** What differs between two wire protocols. */
export interface WireProtocol {
  /** Path the server answers, for example /v1/chat/completions. */
  path: string;
  /** Suffix of the base URL the provider is given, for example /v1. */
  baseSuffix: string;
  /** Returns an error reply (status and JSON body) when the request is invalid, else undefined. */
  validate(
    request: SeenRequest,
    apiKey: string | undefined,
  ): { status: number; body: unknown } | undefined;
  renderReply(request: SeenRequest, reply: Reply, index: number): unknown;
  renderError(status: number, message: string): unknown;
  /** A 200 JSON body that lacks the field a client needs. */
  missingFields(): unknown;
}

export async function startWireServer(
  protocol: WireProtocol,
  initial: WireServerOptions = {},
): Promise<TestServer> {
  const options: WireServerOptions = { ...initial };
  const queued: Fault[] = [];
  const requests: SeenRequest[] = [];
  const stats: ServerStats = { received: 0, inFlight: 0, maxInFlight: 0, statuses: {}, faults: {} };

  const send = (
    response: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    const text = JSON.stringify(body);
    stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
    response.writeHead(status, {
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(text)),
      ...headers,
    });
    response.end(text);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse, raw: string) => {
    let body: SeenRequest["body"];
    try {
      body = JSON.parse(raw);
    } catch {
      body = undefined;
    }
    const seen: SeenRequest = {
      index: stats.received++,
      receivedAt: performance.now(),
      method: request.method ?? "",
      path: (request.url ?? "").split("?")[0] ?? "",
      headers: request.headers,
      body,
    };
    requests.push(seen);
    if (requests.length > (options.keepRequests ?? 1000)) {
      requests.shift();
    }

    if (seen.method !== "POST" || seen.path !== protocol.path) {
      send(response, 404, protocol.renderError(404, `no route for ${seen.method} ${seen.path}`));
      return;
    }

    const fault = queued.shift() ?? options.fault?.(seen);
    if (fault !== undefined) {
      stats.faults[fault.kind] = (stats.faults[fault.kind] ?? 0) + 1;
    }
    if (fault?.kind === "reset") {
      request.socket.destroy();
      return;
    }
    if (fault?.kind === "hang") {
      return;
    }

    if (options.latencyMs !== undefined && options.latencyMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
      if (response.destroyed) {
        return;
      }
    }

    if (fault !== undefined) {
      injectFault(fault, response);
      return;
    }

    const invalid = protocol.validate(seen, options.apiKey);
    if (invalid !== undefined) {
      send(response, invalid.status, invalid.body);
      return;
    }

    let reply: Reply | string;
    try {
      reply = await (options.respond ?? echo)(seen);
    } catch (error) {
      send(response, 500, protocol.renderError(500, `responder failed: ${String(error)}`));
      return;
    }
    if (response.destroyed) {
      return;
    }
    send(
      response,
      200,
      protocol.renderReply(
        seen,
        typeof reply === "string" ? { content: reply } : reply,
        seen.index,
      ),
    );
  };

  const injectFault = (
    fault: Exclude<Fault, { kind: "reset" | "hang" }>,
    response: ServerResponse,
  ) => {
    switch (fault.kind) {
      case "status": {
        const headers: Record<string, string> = {};
        if (fault.retryAfter !== undefined) {
          headers["retry-after"] = fault.retryAfter;
        }
        if (fault.retryAfterMs !== undefined) {
          headers["retry-after-ms"] = String(fault.retryAfterMs);
        }
        send(
          response,
          fault.status,
          protocol.renderError(fault.status, fault.message ?? `injected ${fault.status}`),
          headers,
        );
        return;
      }
      case "malformed": {
        const text = '{"id": "broken", "choices": [';
        stats.statuses[200] = (stats.statuses[200] ?? 0) + 1;
        response.writeHead(200, {
          "content-type": "application/json",
          "content-length": String(text.length),
        });
        response.end(text);
        return;
      }
      case "missing_fields":
        send(response, 200, protocol.missingFields());
        return;
      case "drop": {
        const text = JSON.stringify(
          protocol.renderReply(
            {
              index: -1,
              receivedAt: 0,
              method: "POST",
              path: protocol.path,
              headers: {},
              body: {},
            },
            { content: "x".repeat(200) },
            -1,
          ),
        );
        response.writeHead(200, {
          "content-type": "application/json",
          "content-length": String(text.length),
        });
        response.write(text.slice(0, Math.floor(text.length / 2)));
        // Destroy after the partial body has been flushed to the client.
        setImmediate(() => response.socket?.destroy());
        return;
      }
    }
  };

  const server = createServer((request, response) => {
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    let counted = true;
    const finish = () => {
      if (counted) {
        counted = false;
        stats.inFlight--;
      }
    };
    response.on("close", finish);

    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      handle(request, response, Buffer.concat(chunks).toString("utf8")).catch((error: unknown) => {
        if (!response.headersSent) {
          send(response, 500, protocol.renderError(500, String(error)));
        }
      });
    });
  });
  server.keepAliveTimeout = 10_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}${protocol.baseSuffix}`,
    port,
    requests,
    stats,
    set(changes) {
      Object.assign(options, changes);
    },
    queueFaults(...faults) {
      queued.push(...faults);
    },
    resetStats() {
      stats.received = 0;
      stats.maxInFlight = stats.inFlight;
      stats.statuses = {};
      stats.faults = {};
      requests.length = 0;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function echo(request: SeenRequest): string {
  return `Echo: ${lastMessageText(request.body, "user")}`;
}

/** Rough token count for usage fields: whitespace-separated words. */
export function countWords(text: string): number {
  const trimmed = text.trim();
  return trimmed === "" ? 0 : trimmed.split(/\s+/).length;
}

/** Text of the last message with the given role in an OpenAI-format or Anthropic-format request body. */
export function lastMessageText(body: unknown, role: string): string {
  const messages = (body as { messages?: unknown } | undefined)?.messages;
  if (!Array.isArray(messages)) {
    return "";
  }
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index] as { role?: unknown; content?: unknown } | null;
    if (message?.role !== role) {
      continue;
    }
    if (typeof message.content === "string") {
      return message.content;
    }
    if (Array.isArray(message.content)) {
      return message.content
        .map((block: { text?: unknown } | null) =>
          typeof block?.text === "string" ? block.text : "",
        )
        .join("");
    }
  }
  return "";
}

export const openAIProtocol: WireProtocol = {
  path: "/v1/chat/completions",
  baseSuffix: "/v1",

  validate(request, apiKey) {
    if (apiKey !== undefined && request.headers.authorization !== `Bearer ${apiKey}`) {
      return { status: 401, body: this.renderError(401, "Incorrect API key provided") };
    }
    const body = request.body;
    if (body === undefined || typeof body !== "object") {
      return {
        status: 400,
        body: this.renderError(400, "We could not parse the JSON body of your request."),
      };
    }
    if (
      typeof body.model !== "string" ||
      !Array.isArray(body.messages) ||
      body.messages.length === 0
    ) {
      return {
        status: 400,
        body: this.renderError(400, "model and a non-empty messages array are required"),
      };
    }
    for (const message of body.messages) {
      if (message?.role === "tool" && typeof message.tool_call_id !== "string") {
        return {
          status: 400,
          body: this.renderError(400, "messages with role 'tool' must have a tool_call_id"),
        };
      }
    }
    return undefined;
  },

  renderReply(request, reply, index) {
    const toolCalls = (reply.toolCalls ?? []).map((call, position) => ({
      id: call.id ?? `call_${index}_${position}`,
      type: "function",
      function: {
        name: call.name,
        arguments:
          typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments),
      },
    }));
    const content = reply.content ?? (toolCalls.length > 0 ? null : "");
    const message: Record<string, unknown> = { role: "assistant", content };
    if (toolCalls.length > 0) {
      message.tool_calls = toolCalls;
    }
    if (reply.reasoning !== undefined) {
      message.reasoning_content = reply.reasoning;
    }
    const prompt = lastMessageText(request.body, "user");
    return {
      id: `chatcmpl-${index}`,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model: reply.model ?? request.body?.model ?? "test-model",
      choices: [
        {
          index: 0,
          message,
          finish_reason: reply.finishReason ?? (toolCalls.length > 0 ? "tool_calls" : "stop"),
        },
      ],
      usage: {
        prompt_tokens: countWords(prompt),
        completion_tokens: countWords(content ?? ""),
        total_tokens: countWords(prompt) + countWords(content ?? ""),
      },
    };
  },

  renderError(status, message) {
    const type =
      status === 429
        ? "rate_limit_exceeded"
        : status >= 500
          ? "server_error"
          : "invalid_request_error";
    return { error: { message, type, param: null, code: null } };
  },

  missingFields() {
    return { id: "chatcmpl-empty", object: "chat.completion", model: "test-model" };
  },
};

/** Starts an OpenAI-compatible test server; its `url` ends in /v1, as OpenAI base URLs do. */
export function startOpenAIServer(options: WireServerOptions = {}): Promise<TestServer> {
  return startWireServer(openAIProtocol, options);
}
