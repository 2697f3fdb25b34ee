/**
 * Scripted agents played by the local OpenAI wire-format server. The model
 * name in the request picks the agent, and the task's instructions pick its
 * script. Each script step is one model turn, so every tool call and tool
 * result crosses a real HTTP connection.
 */

import { createOpenAIProvider } from "../../../src/providers/openai.js";
import type { Provider } from "../../../src/providers/types.js";
import type { AgenticTask } from "../../../src/suites/agentic/task.js";
import type { Reply, SeenRequest } from "../../helpers/openai-server.js";

export type Step =
  | { shell: string }
  | { read: string }
  | { write: string; content: string }
  | { finish: string };

/** A script for one task: fixed steps, or a function of the turn and the last tool results. */
export type Script = Step[] | ((turn: number, results: string[]) => Step);

/** Scripts by agent (the model name) and task id. */
export type Agents = Record<string, Record<string, Script>>;

interface WireMessage {
  role: string;
  content?: unknown;
}

function messagesOf(request: SeenRequest): WireMessage[] {
  return (request.body as { messages?: WireMessage[] } | undefined)?.messages ?? [];
}

function toReply(step: Step, turn: number): Reply {
  const call = (name: string, args: Record<string, unknown>): Reply => ({
    toolCalls: [{ id: `call_${turn}`, name, arguments: args }],
  });
  if ("shell" in step) {
    return call("shell", { command: step.shell });
  }
  if ("read" in step) {
    return call("read_file", { path: step.read });
  }
  if ("write" in step) {
    return call("write_file", { path: step.write, content: step.content });
  }
  return call("finish", { report: step.finish });
}

/** Builds the server's responder for these agents and tasks. */
export function respondAs(agents: Agents, tasks: readonly AgenticTask[]) {
  return (request: SeenRequest): Reply => {
    const model = String((request.body as { model?: unknown }).model);
    const messages = messagesOf(request);
    const instructions = messages.find((message) => message.role === "user")?.content;
    const task = tasks.find((entry) => entry.instructions === instructions);
    const script = task === undefined ? undefined : agents[model]?.[task.id];
    if (script === undefined) {
      throw new Error(`no script for agent ${model} on ${task?.id ?? "an unknown task"}`);
    }
    const turn = messages.filter((message) => message.role === "assistant").length;
    const results: string[] = [];
    for (let index = messages.length - 1; index >= 0 && messages[index]?.role === "tool"; index--) {
      results.unshift(String(messages[index]?.content));
    }
    const step =
      typeof script === "function" ? script(turn, results) : (script[turn] ?? { finish: "done" });
    return toReply(step, turn);
  };
}

/** Creates a provider that sends requests to the local server as the named agent. */
export function agentProvider(baseUrl: string, agent: string): Provider {
  return createOpenAIProvider({ model: agent, baseUrl });
}

/** Report identity used by the end-to-end tests. */
export function testIdentity(model: string) {
  return {
    publisher: { name: "Candor tests", relationship: "third_party" as const },
    model: {
      name: model,
      version: "1",
      developer: "Example",
      access: "api" as const,
      endpoint: "http://127.0.0.1",
    },
    claimedTier: 2,
  };
}
