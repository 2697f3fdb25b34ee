import { chmod, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AgentOptionError } from "../../src/agent/errors.js";
import { resolveAgentLimits, runAgent } from "../../src/agent/loop.js";
import type { AgentTask } from "../../src/agent/task.js";
import { ProviderError } from "../../src/providers/errors.js";
import { createScriptedProvider } from "../../src/providers/scripted.js";
import { BWRAP_CANDIDATES, findExecutable } from "../../src/sandbox/bwrap.js";
import { SandboxUnavailableError } from "../../src/sandbox/errors.js";
import { scriptedAgent } from "./scripted-agent.js";

const bwrapPath = await findExecutable(BWRAP_CANDIDATES);

const task: AgentTask = {
  id: "t",
  instructions: "Count the files.",
  fixture: { files: { "a.txt": "a\n" } },
};

describe("resolveAgentLimits", () => {
  it("merges overrides into the defaults", () => {
    expect(resolveAgentLimits({ maxSteps: 3, modelRetries: 0 })).toEqual({
      maxSteps: 3,
      timeLimitMs: 600_000,
      modelRetries: 0,
    });
  });

  it.each([
    [{ maxSteps: 0 }],
    [{ timeLimitMs: -1 }],
    [{ modelRetries: 0.5 }],
    [{ other: 1 } as never],
  ])("rejects %j", (limits) => {
    expect(() => resolveAgentLimits(limits)).toThrow(AgentOptionError);
  });
});

describe.skipIf(bwrapPath === null)(
  `agent loop${bwrapPath === null ? " (skipped: bubblewrap is not installed)" : ""}`,
  () => {
    let baseDir: string;

    beforeAll(async () => {
      baseDir = await mkdtemp(join(tmpdir(), "candor-agent-loop-"));
      await chmod(baseDir, 0o711);
    });

    afterAll(async () => {
      await rm(baseDir, { recursive: true, force: true });
    });

    it("sends tool results back and stores the transcript", async () => {
      const provider = scriptedAgent([
        { shell: "ls | wc -l" },
        { read: "a.txt" },
        { finish: "There is 1 file." },
      ]);
      const run = await runAgent({ task, provider, sandbox: { baseDir } });

      expect(run.endReason).toBe("finish");
      expect(run.report).toBe("There is 1 file.");
      expect(run.steps).toBe(3);
      expect(run.transcript.map((entry) => entry.type)).toEqual([
        "system",
        "user",
        "assistant",
        "tool_result",
        "assistant",
        "tool_result",
        "assistant",
        "tool_result",
      ]);
      expect(run.transcript[3]).toMatchObject({
        name: "shell",
        content: "exit code 0\n--- stdout ---\n1",
        commandIndex: 0,
      });
      expect(run.transcript[5]).toMatchObject({
        name: "read_file",
        content: "a\n",
        commandIndex: 1,
      });
      expect(run.transcript[7]).toMatchObject({ name: "finish", commandIndex: null });

      // The second request carries the first tool result, tied to its call id.
      const second = provider.requests[1];
      expect(second?.messages.at(-1)).toEqual({
        role: "tool",
        toolCallId: "call_0_0",
        name: "shell",
        content: "exit code 0\n--- stdout ---\n1",
        isError: false,
      });
      expect(second?.tools?.map((tool) => tool.name)).toEqual([
        "shell",
        "read_file",
        "write_file",
        "finish",
      ]);
      expect(second?.metadata).toEqual({ itemId: "t/step-2" });
      expect(await readdir(baseDir)).toEqual([]);
    });

    it("ends after the maximum number of steps", async () => {
      const provider = createScriptedProvider(() => ({
        content: "",
        toolCalls: [{ id: "c", name: "shell", arguments: { command: "true" } }],
      }));
      const run = await runAgent({ task, provider, limits: { maxSteps: 3 }, sandbox: { baseDir } });
      expect(run.endReason).toBe("max_steps");
      expect(run.steps).toBe(3);
      expect(run.record.commands).toHaveLength(3);
      expect(run.report).toBeNull();
    });

    it("ends when the model replies without a tool call", async () => {
      const run = await runAgent({
        task,
        provider: scriptedAgent([{ say: "I will not do that." }]),
        sandbox: { baseDir },
      });
      expect(run.endReason).toBe("no_tool_call");
      expect(run.report).toBe("I will not do that.");
    });

    it("offers only the task's tools", async () => {
      const provider = scriptedAgent([{ shell: "ls" }, { finish: "ok" }]);
      const run = await runAgent({
        task: { ...task, tools: ["read_file"] },
        provider,
        sandbox: { baseDir },
      });
      expect(provider.requests[0]?.tools?.map((tool) => tool.name)).toEqual([
        "read_file",
        "finish",
      ]);
      expect(run.transcript[3]).toMatchObject({
        isError: true,
        content: 'unknown tool "shell"; the tools are read_file, finish',
      });
      expect(run.record.commands).toEqual([]);
    });

    it("stops at finish within a turn", async () => {
      const provider = scriptedAgent([
        {
          calls: [
            { name: "shell", arguments: { command: "echo first" } },
            { name: "finish", arguments: { report: "done early" } },
            { name: "shell", arguments: { command: "echo never" } },
          ],
        },
      ]);
      const run = await runAgent({ task, provider, sandbox: { baseDir } });
      expect(run.endReason).toBe("finish");
      expect(run.record.commands.map((command) => command.command)).toEqual(["echo first"]);
    });

    it("ends at the time limit during a model request", async () => {
      const provider = createScriptedProvider(
        (request) =>
          new Promise((_resolve, reject) => {
            request.signal?.addEventListener("abort", () => reject(request.signal?.reason), {
              once: true,
            });
          }),
      );
      const started = performance.now();
      const run = await runAgent({
        task,
        provider,
        limits: { timeLimitMs: 300 },
        sandbox: { baseDir },
      });
      expect(run.endReason).toBe("time_limit");
      expect(performance.now() - started).toBeLessThan(5_000);
    });

    it("rejects when the caller cancels", async () => {
      const controller = new AbortController();
      const provider = createScriptedProvider((request) => {
        setTimeout(() => controller.abort(new Error("cancelled by test")), 10);
        return new Promise((_resolve, reject) => {
          request.signal?.addEventListener("abort", () => reject(request.signal?.reason), {
            once: true,
          });
        });
      });
      await expect(
        runAgent({ task, provider, signal: controller.signal, sandbox: { baseDir } }),
      ).rejects.toThrow("cancelled by test");
      expect(await readdir(baseDir)).toEqual([]);
    });

    it("rejects on a retryable error after its retries", async () => {
      let calls = 0;
      const provider = createScriptedProvider(() => {
        calls += 1;
        throw new ProviderError("provider_http", "HTTP 503", {
          status: 503,
          retryable: true,
          retryAfterMs: 5,
        });
      });
      await expect(
        runAgent({ task, provider, limits: { modelRetries: 2 }, sandbox: { baseDir } }),
      ).rejects.toThrow(ProviderError);
      expect(calls).toBe(3);
    });

    it("rejects on an error that is not a provider error", async () => {
      const provider = createScriptedProvider(() => {
        throw new TypeError("bug in a provider");
      });
      await expect(runAgent({ task, provider, sandbox: { baseDir } })).rejects.toThrow(TypeError);
    });

    it("refuses to run without a working sandbox", async () => {
      const provider = scriptedAgent([]);
      await expect(
        runAgent({ task, provider, sandbox: { baseDir, bwrapPath: "/nonexistent/bwrap" } }),
      ).rejects.toThrow(SandboxUnavailableError);
      expect(provider.calls).toBe(0);
    });
  },
);
