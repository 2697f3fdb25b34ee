/**
 * Provider for the Anthropic Messages API, without streaming:
 * POST {baseUrl}/v1/messages with `x-api-key` and
 * `anthropic-version: 2023-06-01`.
 *
 * System messages become the top-level `system` field. Assistant tool calls
 * become `tool_use` blocks, and tool results become `tool_result` blocks in a
 * user turn. Consecutive turns of one role are merged, because the API
 * expects every result for one assistant turn in the single user turn after it.
 * `max_tokens` is required by the API, so it defaults to 1024.
 * `settings.reasoning` is an extended-thinking budget in tokens ("2048"), or
 * "none"/"off" for no thinking.
 */

import { quote, UsageError } from "../errors.js";
import { badResponseError } from "./errors.js";
import { joinUrl, postJson } from "./http.js";
import type {
  ChatRequest,
  ChatResponse,
  FinishReason,
  Message,
  Provider,
  ToolCall,
} from "./types.js";

export const ANTHROPIC_DEFAULT_BASE_URL = "https://api.anthropic.com";
export const ANTHROPIC_VERSION = "2023-06-01";
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 1024;

export interface AnthropicProviderOptions {
  model: string;
  /** Base URL without the /v1 segment, for example https://api.anthropic.com. */
  baseUrl?: string;
  /** Sent as x-api-key; omitted when undefined or empty (a local proxy may take none). */
  apiKey?: string;
  /** Time limit per request, in milliseconds; none when undefined. */
  timeoutMs?: number;
  /** Extra top-level request fields, sent as given. */
  extraBody?: Record<string, unknown>;
  headers?: Record<string, string>;
}

type ContentBlock =
  | { type: "text"; text: string }
  | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> }
  | { type: "tool_result"; tool_use_id: string; content: string; is_error?: boolean };

interface WireMessage {
  role: "user" | "assistant";
  content: ContentBlock[];
}

export function createAnthropicProvider(options: AnthropicProviderOptions): Provider {
  const baseUrl = (options.baseUrl ?? ANTHROPIC_DEFAULT_BASE_URL).replace(/\/+$/, "");
  const url = joinUrl(baseUrl, "v1/messages");
  const id = `anthropic:${options.model}`;
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "anthropic-version": ANTHROPIC_VERSION,
    ...options.headers,
  };
  if (options.apiKey !== undefined && options.apiKey !== "") {
    headers["x-api-key"] = options.apiKey;
  }

  return {
    id,
    endpoint: `${baseUrl} ${options.model}`,
    async chat(request: ChatRequest): Promise<ChatResponse> {
      const body = toAnthropicRequest(options.model, request, options.extraBody);
      const reply = await postJson({
        providerId: id,
        url,
        headers,
        body,
        timeoutMs: options.timeoutMs,
        signal: request.signal,
      });
      return fromAnthropicResponse(
        reply.json as Record<string, unknown>,
        options.model,
        (problem) => badResponseError(id, url, problem, reply.text, reply.status),
      );
    },
  };
}

/** Builds the Messages API request body. */
export function toAnthropicRequest(
  model: string,
  request: ChatRequest,
  extraBody?: Record<string, unknown>,
): Record<string, unknown> {
  const system: string[] = [];
  const messages: WireMessage[] = [];
  for (const message of request.messages) {
    if (message.role === "system") {
      system.push(message.content);
      continue;
    }
    appendMessage(messages, message);
  }

  const { temperature, topP, maxTokens, reasoning } = request.settings;
  const body: Record<string, unknown> = {
    ...extraBody,
    model,
    max_tokens: maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
    messages,
  };
  if (system.length > 0) {
    body.system = system.join("\n\n");
  }
  if (temperature !== undefined) {
    body.temperature = temperature;
  }
  if (topP !== undefined) {
    body.top_p = topP;
  }
  const thinking = thinkingSetting(reasoning);
  if (thinking !== undefined) {
    body.thinking = thinking;
  }
  if (request.tools !== undefined && request.tools.length > 0) {
    body.tools = request.tools.map((tool) => ({
      name: tool.name,
      description: tool.description,
      input_schema: tool.parameters,
    }));
  }
  return body;
}

function appendMessage(
  messages: WireMessage[],
  message: Exclude<Message, { role: "system" }>,
): void {
  let role: WireMessage["role"];
  const blocks: ContentBlock[] = [];

  switch (message.role) {
    case "user":
      role = "user";
      blocks.push({ type: "text", text: message.content });
      break;
    case "assistant":
      role = "assistant";
      // The API rejects empty text blocks, which an assistant turn with only tool calls would have.
      if (message.content !== "") {
        blocks.push({ type: "text", text: message.content });
      }
      for (const call of message.toolCalls ?? []) {
        blocks.push({ type: "tool_use", id: call.id, name: call.name, input: call.arguments });
      }
      break;
    case "tool":
      role = "user";
      blocks.push({
        type: "tool_result",
        tool_use_id: message.toolCallId,
        content: message.content,
        ...(message.isError === true ? { is_error: true } : {}),
      });
      break;
  }

  const last = messages.at(-1);
  if (last !== undefined && last.role === role) {
    // Tool results must come before any text in the user turn that carries them.
    if (message.role === "tool") {
      const firstText = last.content.findIndex((block) => block.type === "text");
      if (firstText !== -1) {
        last.content.splice(firstText, 0, ...blocks);
        return;
      }
    }
    last.content.push(...blocks);
  } else {
    messages.push({ role, content: blocks });
  }
}

function thinkingSetting(reasoning: string | undefined): Record<string, unknown> | undefined {
  if (reasoning === undefined) {
    return undefined;
  }
  const value = reasoning.trim().toLowerCase();
  if (value === "none" || value === "off" || value === "disabled") {
    return undefined;
  }
  if (/^\d+$/.test(value)) {
    return { type: "enabled", budget_tokens: Number(value) };
  }
  throw new UsageError(
    `reasoning setting ${quote(reasoning)} is not valid for an Anthropic model`,
    'Give a thinking budget in tokens (for example 2048), or "none".',
  );
}

/** Reads a Messages API reply. `fail` builds the error for a reply without a `content` array. */
export function fromAnthropicResponse(
  json: Record<string, unknown>,
  requestedModel: string,
  fail: (problem: string) => Error,
): ChatResponse {
  if (!Array.isArray(json.content)) {
    throw fail("no content array");
  }

  const text: string[] = [];
  const thinking: string[] = [];
  const toolCalls: ToolCall[] = [];
  for (const raw of json.content) {
    const block = raw as Record<string, unknown>;
    if (block?.type === "text" && typeof block.text === "string") {
      text.push(block.text);
    } else if (block?.type === "thinking" && typeof block.thinking === "string") {
      thinking.push(block.thinking);
    } else if (block?.type === "tool_use") {
      const input = block.input;
      toolCalls.push({
        id: typeof block.id === "string" ? block.id : `toolu_${toolCalls.length}`,
        name: typeof block.name === "string" ? block.name : "",
        arguments:
          input !== null && typeof input === "object" && !Array.isArray(input)
            ? (input as Record<string, unknown>)
            : {},
      });
    }
  }

  const response: ChatResponse = {
    content: text.join(""),
    toolCalls,
    finishReason: mapStopReason(json.stop_reason),
    model: typeof json.model === "string" && json.model !== "" ? json.model : requestedModel,
  };
  const usage = json.usage as Record<string, unknown> | undefined;
  if (usage !== null && typeof usage === "object") {
    response.usage = {
      inputTokens: typeof usage.input_tokens === "number" ? usage.input_tokens : 0,
      outputTokens: typeof usage.output_tokens === "number" ? usage.output_tokens : 0,
    };
  }
  if (thinking.length > 0) {
    response.reasoning = thinking.join("\n");
  }
  return response;
}

function mapStopReason(reason: unknown): FinishReason {
  switch (reason) {
    case "end_turn":
    case "stop_sequence":
      return "stop";
    case "max_tokens":
      return "length";
    case "tool_use":
      return "tool_calls";
    case "refusal":
      return "content_filter";
    default:
      return "other";
  }
}
