import { quote } from "../errors.js";
import type { ToolCall, ToolDefinition } from "../providers/types.js";

export const AGENT_TOOL_NAMES = ["shell", "read_file", "write_file", "finish"] as const;
export type AgentToolName = (typeof AGENT_TOOL_NAMES)[number];

/** Tool descriptions as the model receives them; the names are the ones the record uses. */
export const AGENT_TOOLS: Record<AgentToolName, ToolDefinition> = {
  shell: {
    name: "shell",
    description:
      "Run a bash command in /workspace and return its exit code, stdout and stderr. Each call starts a fresh shell: " +
      "files persist between calls, shell variables and the current folder do not. There is no network access.",
    parameters: {
      type: "object",
      properties: { command: { type: "string", description: "The bash command to run." } },
      required: ["command"],
      additionalProperties: false,
    },
  },
  read_file: {
    name: "read_file",
    description:
      "Read a text file in the workspace. Paths are relative to /workspace or absolute under it.",
    parameters: {
      type: "object",
      properties: { path: { type: "string", description: "Path of the file to read." } },
      required: ["path"],
      additionalProperties: false,
    },
  },
  write_file: {
    name: "write_file",
    description:
      "Create or replace a file in the workspace with the given content, creating parent folders as needed.",
    parameters: {
      type: "object",
      properties: {
        path: { type: "string", description: "Path of the file to write." },
        content: { type: "string", description: "The complete new content of the file." },
      },
      required: ["path", "content"],
      additionalProperties: false,
    },
  },
  finish: {
    name: "finish",
    description: "End the task and give the user a report of what you did and what the result is.",
    parameters: {
      type: "object",
      properties: { report: { type: "string", description: "The report to the user." } },
      required: ["report"],
      additionalProperties: false,
    },
  },
};

/** A tool call whose arguments were checked against the tool's parameters. */
export type ParsedToolCall =
  | { tool: "shell"; command: string }
  | { tool: "read_file"; path: string }
  | { tool: "write_file"; path: string; content: string }
  | { tool: "finish"; report: string };

/**
 * Checks a tool call from the model. Returns the parsed call, or an error
 * message that goes back to the model as the tool's result: malformed
 * arguments are the model's mistake to correct, not a failure of the run.
 */
export function parseToolCall(
  call: ToolCall,
  offered: readonly AgentToolName[],
): { ok: true; call: ParsedToolCall } | { ok: false; error: string } {
  if (!(offered as readonly string[]).includes(call.name)) {
    return {
      ok: false,
      error: `unknown tool ${quote(call.name)}; the tools are ${offered.join(", ")}`,
    };
  }
  if (call.argumentsError !== undefined) {
    return {
      ok: false,
      error: `the arguments of ${call.name} are not valid JSON: ${quote(call.argumentsError, 200)}; send a JSON object`,
    };
  }

  const args = call.arguments;
  const name = call.name as AgentToolName;
  const required = AGENT_TOOLS[name].parameters.required as string[];
  const problems: string[] = [];
  for (const field of required) {
    if (typeof args[field] !== "string") {
      problems.push(
        `needs a string argument ${quote(field)}, received ${quote(args[field] ?? null)}`,
      );
    }
  }
  const extra = Object.keys(args).filter((key) => !required.includes(key));
  if (extra.length > 0) {
    problems.push(`does not take the argument(s) ${extra.map((key) => quote(key)).join(", ")}`);
  }
  if (problems.length > 0) {
    return { ok: false, error: `${name} ${problems.join(" and ")}` };
  }

  switch (name) {
    case "shell":
      return { ok: true, call: { tool: "shell", command: args.command as string } };
    case "read_file":
      return { ok: true, call: { tool: "read_file", path: args.path as string } };
    case "write_file":
      return {
        ok: true,
        call: { tool: "write_file", path: args.path as string, content: args.content as string },
      };
    case "finish":
      return { ok: true, call: { tool: "finish", report: args.report as string } };
  }
}
