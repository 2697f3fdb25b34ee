/**
 * Provider for servers speaking the OpenAI chat-completions protocol
 * (OpenAI, vLLM, llama.cpp, Ollama, LM Studio), without streaming:
 * POST {baseUrl}/chat/completions and read one JSON reply.
 *
 * The API key is optional because local servers take none; when given it is
 * sent as `Authorization: Bearer KEY`. Tool calls use `tools`, the
 * assistant's `tool_calls` and `role: "tool"` messages with `tool_call_id`.
 * `settings.reasoning` is sent as `reasoning_effort`. The output limit is
 * sent as `max_tokens`, which every compatible server reads, unless
 * `maxTokensField` selects `max_completion_tokens` (required by OpenAI's
 * reasoning models).
 */

import { badResponseError } from "./errors.js";
import { joinUrl, parseToolArguments, postJson } from "./http.js";
import type {
  ChatRequest,
  ChatResponse,
  FinishReason,
  Message,
  Provider,
  ToolCall,
  ToolDefinition,
} from "./types.js";

export const OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1";

export interface OpenAIProviderOptions {
  model: string;
  /** Base URL up to and including the version segment, for example http://127.0.0.1:8000/v1. */
  baseUrl?: string;
  apiKey?: string;
  /** Time limit per request, in milliseconds; none when undefined. */
  timeoutMs?: number;
  /** Request field that carries `settings.maxTokens`. */
  maxTokensField?: "max_tokens" | "max_completion_tokens";
  /** Extra top-level request fields, sent as given (for example a vLLM `chat_template_kwargs`). */
  extraBody?: Record<string, unknown>;
  /** Extra HTTP headers. */
  headers?: Record<string, string>;
}

type WireMessage =
  | { role: "system" | "user"; content: string }
  | { role: "assistant"; content: string | null; tool_calls?: WireToolCall[] }
  | { role: "tool"; tool_call_id: string; content: string };

interface WireToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export function createOpenAIProvider(options: OpenAIProviderOptions): Provider {
  const baseUrl = (options.baseUrl ?? OPENAI_DEFAULT_BASE_URL).replace(/\/+$/, "");
  const url = joinUrl(baseUrl, "chat/completions");
  const id = `openai:${options.model}`;
  const headers: Record<string, string> = {
    "content-type": "application/json",
    ...options.headers,
  };
  if (options.apiKey !== undefined && options.apiKey !== "") {
    headers.authorization = `Bearer ${options.apiKey}`;
  }

  return {
    id,
    endpoint: `${baseUrl} ${options.model}`,
    async chat(request: ChatRequest): Promise<ChatResponse> {
      const body = toOpenAIRequest(
        options.model,
        request,
        options.maxTokensField ?? "max_tokens",
        options.extraBody,
      );
      const reply = await postJson({
        providerId: id,
        url,
        headers,
        body,
        timeoutMs: options.timeoutMs,
        signal: request.signal,
      });
      return fromOpenAIResponse(reply.json as Record<string, unknown>, options.model, (problem) =>
        badResponseError(id, url, problem, reply.text, reply.status),
      );
    },
  };
}

/** Builds the chat-completions request body. */
export function toOpenAIRequest(
  model: string,
  request: ChatRequest,
  maxTokensField: "max_tokens" | "max_completion_tokens" = "max_tokens",
  extraBody?: Record<string, unknown>,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    ...extraBody,
    model,
    messages: request.messages.map(toWireMessage),
  };
  const { temperature, topP, maxTokens, reasoning } = request.settings;
  if (temperature !== undefined) {
    body.temperature = temperature;
  }
  if (topP !== undefined) {
    body.top_p = topP;
  }
  if (maxTokens !== undefined) {
    body[maxTokensField] = maxTokens;
  }
  if (reasoning !== undefined) {
    body.reasoning_effort = reasoning;
  }
  if (request.tools !== undefined && request.tools.length > 0) {
    body.tools = request.tools.map(toWireTool);
  }
  return body;
}

function toWireMessage(message: Message): WireMessage {
  switch (message.role) {
    case "system":
    case "user":
      return { role: message.role, content: message.content };
    case "assistant": {
      const calls = message.toolCalls ?? [];
      if (calls.length === 0) {
        return { role: "assistant", content: message.content };
      }
      // The protocol expects null content beside tool calls when the model wrote no text.
      return {
        role: "assistant",
        content: message.content === "" ? null : message.content,
        tool_calls: calls.map(toWireToolCall),
      };
    }
    case "tool":
      // The protocol has no error flag for tool results; the content has to say so.
      return { role: "tool", tool_call_id: message.toolCallId, content: message.content };
  }
}

function toWireToolCall(call: ToolCall): WireToolCall {
  // Arguments that were not JSON go back exactly as the model wrote them.
  const text = call.argumentsError ?? JSON.stringify(call.arguments);
  return { id: call.id, type: "function", function: { name: call.name, arguments: text } };
}

function toWireTool(tool: ToolDefinition): Record<string, unknown> {
  return {
    type: "function",
    function: { name: tool.name, description: tool.description, parameters: tool.parameters },
  };
}

/**
 * Reads a chat-completions reply. `fail` builds the error for a reply that
 * lacks `choices[0].message`; such a reply is a server fault and retryable.
 */
export function fromOpenAIResponse(
  json: Record<string, unknown>,
  requestedModel: string,
  fail: (problem: string) => Error,
): ChatResponse {
  const choices = json.choices;
  if (!Array.isArray(choices) || choices.length === 0) {
    throw fail("no choices");
  }
  const choice = choices[0] as Record<string, unknown> | null;
  const message = choice?.message as Record<string, unknown> | null | undefined;
  if (message === null || typeof message !== "object") {
    throw fail("no choices[0].message");
  }

  const toolCalls: ToolCall[] = [];
  if (Array.isArray(message.tool_calls)) {
    for (const [index, raw] of message.tool_calls.entries()) {
      toolCalls.push(readToolCall(raw as Record<string, unknown>, index));
    }
  }

  const response: ChatResponse = {
    content: readContent(message.content, fail),
    toolCalls,
    finishReason: mapFinishReason(choice?.finish_reason, toolCalls.length > 0),
    model: typeof json.model === "string" && json.model !== "" ? json.model : requestedModel,
  };

  const usage = json.usage as Record<string, unknown> | undefined;
  if (usage !== null && typeof usage === "object") {
    response.usage = {
      inputTokens: numberOrZero(usage.prompt_tokens),
      outputTokens: numberOrZero(usage.completion_tokens),
    };
  }

  // vLLM and DeepSeek name it reasoning_content; Ollama and some proxies use reasoning.
  const reasoning = message.reasoning_content ?? message.reasoning;
  if (typeof reasoning === "string" && reasoning !== "") {
    response.reasoning = reasoning;
  }
  return response;
}

function readContent(content: unknown, fail: (problem: string) => Error): string {
  if (typeof content === "string") {
    return content;
  }
  // Some servers return content as an array of typed parts.
  if (Array.isArray(content)) {
    return content.map((part) => (typeof part?.text === "string" ? part.text : "")).join("");
  }
  // null or absent: the model wrote no text, as beside tool calls.
  if (content === null || content === undefined) {
    return "";
  }
  // A number or an object comes from a broken server. Returned as "", it
  // would be scored as a response with no text.
  throw fail("choices[0].message.content that is neither text nor a list of parts");
}

function readToolCall(raw: Record<string, unknown>, index: number): ToolCall {
  const fn = (raw?.function ?? {}) as Record<string, unknown>;
  const name = typeof fn.name === "string" ? fn.name : "";
  const id = typeof raw?.id === "string" && raw.id !== "" ? raw.id : `call_${index}`;

  // Most servers send arguments as a JSON string; a few send the object itself.
  if (fn.arguments !== null && typeof fn.arguments === "object" && !Array.isArray(fn.arguments)) {
    return { id, name, arguments: fn.arguments as Record<string, unknown> };
  }
  return { id, name, ...parseToolArguments(typeof fn.arguments === "string" ? fn.arguments : "") };
}

function mapFinishReason(reason: unknown, hasToolCalls: boolean): FinishReason {
  switch (reason) {
    case "stop":
      // Some servers report "stop" on a turn that ends in tool calls.
      return hasToolCalls ? "tool_calls" : "stop";
    case "length":
      return "length";
    case "tool_calls":
    case "function_call":
      return "tool_calls";
    case "content_filter":
      return "content_filter";
    default:
      return hasToolCalls ? "tool_calls" : "other";
  }
}

function numberOrZero(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}
