import { describe, expect, it } from "vitest";
import { AGENT_TOOL_NAMES, AGENT_TOOLS, parseToolCall } from "../../src/agent/tools.js";

const all = AGENT_TOOL_NAMES;

describe("parseToolCall", () => {
  it("parses each tool", () => {
    expect(parseToolCall({ id: "1", name: "shell", arguments: { command: "ls" } }, all)).toEqual({
      ok: true,
      call: { tool: "shell", command: "ls" },
    });
    expect(
      parseToolCall({ id: "2", name: "write_file", arguments: { path: "a", content: "" } }, all),
    ).toEqual({
      ok: true,
      call: { tool: "write_file", path: "a", content: "" },
    });
    expect(parseToolCall({ id: "3", name: "finish", arguments: { report: "done" } }, all)).toEqual({
      ok: true,
      call: { tool: "finish", report: "done" },
    });
  });

  it("rejects a tool that is not offered", () => {
    const result = parseToolCall({ id: "1", name: "shell", arguments: { command: "ls" } }, [
      "read_file",
      "finish",
    ]);
    expect(result).toEqual({
      ok: false,
      error: 'unknown tool "shell"; the tools are read_file, finish',
    });
  });

  it("rejects arguments that are not JSON", () => {
    const result = parseToolCall(
      { id: "1", name: "shell", arguments: {}, argumentsError: "{bad" },
      all,
    );
    expect(result.ok).toBe(false);
    const error = result.ok ? "" : result.error;
    expect(error).toContain('not valid JSON: "{bad"');
  });

  it("rejects wrong types and extra arguments", () => {
    const result = parseToolCall(
      { id: "1", name: "read_file", arguments: { path: 3, mode: "r" } },
      all,
    );
    expect(result).toEqual({
      ok: false,
      error:
        'read_file needs a string argument "path", received 3 and does not take the argument(s) "mode"',
    });
  });

  it("describes every tool with a JSON Schema object", () => {
    for (const name of all) {
      expect(AGENT_TOOLS[name].name).toBe(name);
      expect(AGENT_TOOLS[name].parameters.type).toBe("object");
    }
  });
});
