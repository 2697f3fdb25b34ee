/**
 * Scripted agents for tests: a list of tool calls played one per model turn
 * through the scripted provider, ending with finish when the list runs out.
 */

import { createScriptedProvider, type ScriptedProvider } from "../../src/providers/scripted.js";
import type { ChatRequest, ToolCall } from "../../src/providers/types.js";

export type ScriptStep =
  | { shell: string }
  | { read: string }
  | { write: string; content: string }
  | { finish: string }
  /** A reply with no tool call, which ends the run. */
  | { say: string }
  /** Several calls in one turn, or calls with arguments the tools do not accept. */
  | { calls: Omit<ToolCall, "id">[] };

/** Converts one step into the tool calls of a model turn. */
export function toolCallsFor(step: ScriptStep, turn: number): ToolCall[] {
  const id = (n: number) => `call_${turn}_${n}`;
  if ("shell" in step) {
    return [{ id: id(0), name: "shell", arguments: { command: step.shell } }];
  }
  if ("read" in step) {
    return [{ id: id(0), name: "read_file", arguments: { path: step.read } }];
  }
  if ("write" in step) {
    return [
      { id: id(0), name: "write_file", arguments: { path: step.write, content: step.content } },
    ];
  }
  if ("finish" in step) {
    return [{ id: id(0), name: "finish", arguments: { report: step.finish } }];
  }
  if ("calls" in step) {
    return step.calls.map((call, n) => ({ ...call, id: id(n) }));
  }
  return [];
}

/**
 * Creates a provider that plays `steps` in order and then finishes with "done".
 * `requests` keeps every request, so tests can read what the model was sent.
 */
export function scriptedAgent(steps: ScriptStep[]): ScriptedProvider & { requests: ChatRequest[] } {
  const requests: ChatRequest[] = [];
  const provider = createScriptedProvider((request, index) => {
    requests.push(structuredClone({ ...request, signal: undefined }));
    const step = steps[index] ?? { finish: "done" };
    if ("say" in step) {
      return step.say;
    }
    return { content: "", toolCalls: toolCallsFor(step, index) };
  });
  return Object.assign(provider, { requests });
}
