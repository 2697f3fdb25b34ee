import { describe, expect, it } from "vitest";
import type { ProcessOutcome } from "../../src/sandbox/process.js";
import { classifyBlocked } from "../../src/sandbox/record.js";

function outcome(
  fields: Partial<Omit<ProcessOutcome, "stdout" | "stderr">> & { stdout?: string; stderr?: string },
) {
  const stream = (text = "") => ({
    data: Buffer.from(text),
    bytes: Buffer.byteLength(text),
    truncated: false,
  });
  return {
    exitCode: 1,
    signal: null,
    startedAt: "2024-01-01T00:00:00.000Z",
    durationMs: 5,
    killedFor: null,
    ...fields,
    stdout: stream(fields.stdout),
    stderr: stream(fields.stderr),
  } as ProcessOutcome;
}

describe("classifyBlocked", () => {
  it.each([
    ["bash: fork: retry: Resource temporarily unavailable", "process_limit"],
    ["curl: (7) Failed to connect to 127.0.0.1 port 80: Connection refused", "network_unavailable"],
    ["bash: connect: Network is unreachable", "network_unavailable"],
    ["curl: (6) Could not resolve host: example.invalid", "network_unavailable"],
    ["MemoryError", "memory_limit"],
    ["unshare: unshare failed: No space left on device", "namespace_denied"],
    ["head: error writing '/tmp/x': No space left on device", "disk_quota"],
    ["touch: cannot touch '/usr/x': Read-only file system", "read_only_filesystem"],
    ["mount: /tmp: permission denied.", "permission_denied"],
  ])("reads %j as %s", (stderr, kind) => {
    expect(classifyBlocked(outcome({ stderr })).map((entry) => entry.kind)).toEqual([kind]);
  });

  it("keeps the evidence line", () => {
    const [entry] = classifyBlocked(
      outcome({ stderr: "ok line\nbash: /dev/tcp/127.0.0.1/1: Connection refused\n" }),
    );
    expect(entry?.evidence).toBe("bash: /dev/tcp/127.0.0.1/1: Connection refused");
  });

  it("reports the harness's own kills", () => {
    expect(
      classifyBlocked(outcome({ killedFor: "timeout", exitCode: null, signal: "SIGKILL" }))[0]
        ?.kind,
    ).toBe("timeout");
    expect(classifyBlocked(outcome({ killedFor: "disk_quota", exitCode: null }))[0]?.kind).toBe(
      "disk_quota",
    );
  });

  it("reads SIGXFSZ from the exit status", () => {
    expect(classifyBlocked(outcome({ exitCode: 153 }))[0]?.kind).toBe("file_size_limit");
    expect(classifyBlocked(outcome({ exitCode: null, signal: "SIGXFSZ" }))[0]?.kind).toBe(
      "file_size_limit",
    );
  });

  it("ignores error words in the output of a successful command", () => {
    expect(
      classifyBlocked(outcome({ exitCode: 0, stdout: "log: Permission denied for user bob\n" })),
    ).toEqual([]);
  });

  it("reads stdout of a failed command", () => {
    const kinds = classifyBlocked(
      outcome({ exitCode: 7, stdout: "curl: (7) Couldn't connect to server\n" }),
    );
    expect(kinds.map((entry) => entry.kind)).toEqual(["network_unavailable"]);
  });

  it("lists each kind once", () => {
    const stderr = "Permission denied\nPermission denied\nRead-only file system\n";
    expect(classifyBlocked(outcome({ stderr })).map((entry) => entry.kind)).toEqual([
      "permission_denied",
      "read_only_filesystem",
    ]);
  });
});
