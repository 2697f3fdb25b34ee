/**
 * A real HTTP server on 127.0.0.1 speaking the Anthropic Messages wire
 * format (non-streaming), with the same programmable replies, latency,
 * faults and counters as the OpenAI test server. Like the real API it
 * rejects requests without `anthropic-version` or `max_tokens` (400), with a
 * wrong `x-api-key` when a key is set (401), and with a `system` role inside
 * `messages` (400).
 */

import {
  countWords,
  lastMessageText,
  type Reply,
  type SeenRequest,
  startWireServer,
  type TestServer,
  type WireProtocol,
  type WireServerOptions,
} from "./openai-server.js";

export type { Fault, Reply, SeenRequest, TestServer, WireServerOptions } from "./openai-server.js";

const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};

export const anthropicProtocol: WireProtocol = {
  path: "/v1/messages",
  baseSuffix: "",

  validate(request: SeenRequest, apiKey: string | undefined) {
    if (apiKey !== undefined && request.headers["x-api-key"] !== apiKey) {
      return { status: 401, body: this.renderError(401, "invalid x-api-key") };
    }
    if (request.headers["anthropic-version"] === undefined) {
      return { status: 400, body: this.renderError(400, "anthropic-version: header is required") };
    }
    const body = request.body;
    if (body === undefined || typeof body !== "object") {
      return { status: 400, body: this.renderError(400, "the request body is not valid JSON") };
    }
    if (typeof body.max_tokens !== "number") {
      return { status: 400, body: this.renderError(400, "max_tokens: Field required") };
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
      if (message?.role !== "user" && message?.role !== "assistant") {
        return {
          status: 400,
          body: this.renderError(
            400,
            `messages: Unexpected role ${JSON.stringify(message?.role)}; use the top-level system parameter`,
          ),
        };
      }
    }
    return undefined;
  },

  renderReply(request: SeenRequest, reply: Reply, index: number) {
    const content: Record<string, unknown>[] = [];
    if (reply.reasoning !== undefined) {
      content.push({ type: "thinking", thinking: reply.reasoning, signature: "test" });
    }
    if (reply.content !== undefined && reply.content !== "") {
      content.push({ type: "text", text: reply.content });
    }
    const toolCalls = reply.toolCalls ?? [];
    for (const [position, call] of toolCalls.entries()) {
      content.push({
        type: "tool_use",
        id: call.id ?? `toolu_${index}_${position}`,
        name: call.name,
        input: typeof call.arguments === "string" ? JSON.parse(call.arguments) : call.arguments,
      });
    }
    return {
      id: `msg_${index}`,
      type: "message",
      role: "assistant",
      model: reply.model ?? request.body?.model ?? "test-model",
      content,
      stop_reason: reply.finishReason ?? (toolCalls.length > 0 ? "tool_use" : "end_turn"),
      stop_sequence: null,
      usage: {
        input_tokens: countWords(lastMessageText(request.body, "user")),
        output_tokens: countWords(reply.content ?? ""),
      },
    };
  },

  renderError(status: number, message: string) {
    return { type: "error", error: { type: ERROR_TYPES[status] ?? "api_error", message } };
  },

  missingFields() {
    return { id: "msg_empty", type: "message", role: "assistant", model: "test-model" };
  },
};

/** Starts an Anthropic Messages test server; its `url` has no /v1, as Anthropic base URLs do not. */
export function startAnthropicServer(options: WireServerOptions = {}): Promise<TestServer> {
  return startWireServer(anthropicProtocol, options);
}
