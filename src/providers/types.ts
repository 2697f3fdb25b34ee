/**
 * The model-access interface every provider implements. Messages and tool
 * calls are provider-neutral; each provider maps them to its wire protocol
 * (OpenAI chat completions, Anthropic Messages) and back.
 */

export type Role = "system" | "user" | "assistant" | "tool";

/** A tool the model may call, described by a JSON Schema for its arguments. */
export interface ToolDefinition {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

/** A tool call the model made; `arguments` is the parsed JSON object. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: Record<string, unknown>;
  /** The raw argument text when it was not valid JSON; `arguments` is then empty. */
  argumentsError?: string;
}

export type Message =
  | { role: "system"; content: string }
  | { role: "user"; content: string }
  | { role: "assistant"; content: string; toolCalls?: ToolCall[] }
  | { role: "tool"; toolCallId: string; name: string; content: string; isError?: boolean };

export interface GenerationSettings {
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  /** Provider-specific reasoning setting, passed through (for example "low" or a token budget). */
  reasoning?: string;
}

/**
 * Facts about a request that are not sent to the model. The replay provider
 * looks recorded completions up by `itemId`; a caller that sends several
 * requests per item (several turns) gives each one its own key, for example
 * `item-7/turn-2`.
 */
export interface RequestMetadata {
  itemId?: string;
}

export interface ChatRequest {
  messages: Message[];
  settings: GenerationSettings;
  tools?: ToolDefinition[];
  /** Aborts the request; providers pass it to fetch. */
  signal?: AbortSignal;
  metadata?: RequestMetadata;
}

export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter" | "other";

export interface ChatResponse {
  content: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  /** Model id the server says answered, which may differ from the one requested. */
  model: string;
  usage?: { inputTokens: number; outputTokens: number };
  /** Reasoning text the server returned beside the answer (reasoning_content, thinking blocks), when any. */
  reasoning?: string;
}

export interface Provider {
  /** Provider and model as written on the command line, for example openai:llama-3-8b. */
  readonly id: string;
  /** Endpoint and model identifier recorded in the report's model identity. */
  readonly endpoint: string;
  chat(request: ChatRequest): Promise<ChatResponse>;
}
