import { describe, expect, it } from "vitest";
import { WorkspacePathError } from "../../src/sandbox/errors.js";
import { resolveLimits } from "../../src/sandbox/limits.js";
import { checkFixturePath, resolveWorkspacePath } from "../../src/sandbox/paths.js";

describe("resolveWorkspacePath", () => {
  it.each([
    ["notes.txt", "/workspace/notes.txt"],
    ["./src/../src/a.py", "/workspace/src/a.py"],
    ["/workspace/a/b", "/workspace/a/b"],
    ["/workspace//a/", "/workspace/a"],
    ["dir/", "/workspace/dir"],
  ])("accepts %s", (input, expected) => {
    expect(resolveWorkspacePath(input)).toBe(expected);
  });

  it.each([
    ["../etc/passwd", "climbs out"],
    ["a/../../x", "climbs out"],
    [".", "climbs out"],
    ["/etc/passwd", "absolute paths must be under /workspace"],
    ["/workspace", "absolute paths must be under /workspace"],
    ["/workspace/../etc", "absolute paths must be under /workspace"],
    ["/workspacex/a", "absolute paths must be under /workspace"],
    ["", "empty"],
    ["a\0b", "NUL"],
    ["x".repeat(5000), "longer than"],
  ])("rejects %j", (input, reason) => {
    expect(() => resolveWorkspacePath(input)).toThrow(WorkspacePathError);
    expect(() => resolveWorkspacePath(input)).toThrow(reason);
  });

  it("rejects a value that is not a string", () => {
    expect(() => resolveWorkspacePath(42)).toThrow("must be a string");
  });
});

describe("checkFixturePath", () => {
  it("normalizes a relative path", () => {
    expect(checkFixturePath("src/./a.py")).toEqual({ ok: true, path: "src/a.py" });
  });

  it.each(["/abs", "../up", "..", ".", ".git/config", ".git", ""])("rejects %j", (path) => {
    expect(checkFixturePath(path).ok).toBe(false);
  });
});

describe("resolveLimits", () => {
  it("merges overrides into the defaults", () => {
    const limits = resolveLimits({ maxProcesses: 8 });
    expect(limits.maxProcesses).toBe(8);
    expect(limits.commandTimeoutMs).toBe(60_000);
  });

  it.each([
    [{ maxProcesses: 0 }, "positive integer"],
    [{ maxMemoryBytes: 1.5 }, "positive integer"],
    [{ unknown: 1 } as never, "unknown sandbox limit"],
  ])("rejects %j", (overrides, message) => {
    expect(() => resolveLimits(overrides)).toThrow(message);
  });
});
