/**
 * Provider whose replies come from a function, for tests and examples. The
 * function receives each request and may return a full `ChatResponse`, a partial
 * one, or just the reply text; it may also throw (for example a
 * `ProviderError`) to act out a failing server.
 */

import type { ChatRequest, ChatResponse, Provider } from "./types.js";

export type ScriptedReply = string | (Partial<ChatResponse> & { content: string });

export type ScriptedResponder = (
  request: ChatRequest,
  callIndex: number,
) => ScriptedReply | Promise<ScriptedReply>;

export interface ScriptedProvider extends Provider {
  /** Number of chat calls so far. */
  readonly calls: number;
}

export function createScriptedProvider(
  respond: ScriptedResponder,
  options: { model?: string } = {},
): ScriptedProvider {
  const model = options.model ?? "scripted";
  let calls = 0;

  return {
    id: `scripted:${model}`,
    endpoint: `scripted ${model}`,
    get calls() {
      return calls;
    },
    async chat(request: ChatRequest): Promise<ChatResponse> {
      request.signal?.throwIfAborted();
      const reply = await respond(request, calls++);
      if (typeof reply === "string") {
        return { content: reply, toolCalls: [], finishReason: "stop", model };
      }
      const toolCalls = reply.toolCalls ?? [];
      return {
        finishReason: toolCalls.length > 0 ? "tool_calls" : "stop",
        model,
        ...reply,
        toolCalls,
      };
    },
  };
}
