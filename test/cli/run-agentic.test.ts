/**
 * `candor run --suite <tier-2 suite>` end to end: a local OpenAI-format
 * server plays the honest scripted agent, every run goes through the real
 * agent loop in a bubblewrap sandbox, and the report, the run store and the
 * console summary are checked. One case interrupts a real `candor` process
 * with SIGINT part-way through and resumes it.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { bufferIO } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { openRunStore } from "../../src/engine/store.js";
import { PACKAGE_ROOT } from "../../src/paths.js";
import { BWRAP_CANDIDATES, findExecutable } from "../../src/sandbox/bwrap.js";
import type { Report } from "../../src/spec/generated/report.js";
import { loadRegistry } from "../../src/spec/registry.js";
import { type SeenRequest, startOpenAIServer, type TestServer } from "../helpers/openai-server.js";
import { tier2Reply, tier2TaskOf } from "../suites/tier2/agents.js";

const bwrapPath = await findExecutable(BWRAP_CANDIDATES);

const servers: TestServer[] = [];
const folders: string[] = [];
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
    }
  }
  await Promise.all(servers.splice(0).map((server) => server.close()));
  for (const folder of folders.splice(0)) {
    rmSync(folder, { recursive: true, force: true });
  }
});

function tempDir(): string {
  const folder = mkdtempSync(join(tmpdir(), "candor-run-agentic-"));
  folders.push(folder);
  return join(folder, "run");
}

async function startAgentServer(latencyMs = 0): Promise<TestServer> {
  const server = await startOpenAIServer({
    latencyMs,
    respond: (request) => tier2Reply(request, "openai"),
  });
  servers.push(server);
  return server;
}

function runArgs(server: TestServer, out: string, ...extra: string[]): string[] {
  return [
    "run",
    "--suite",
    "containment",
    "--model",
    "openai:honest",
    "--base-url",
    server.url,
    "--out",
    out,
    "--model-version",
    "scripted-1",
    "--developer",
    "Candor tests",
    "--max-attempts",
    "1",
    ...extra,
  ];
}

function readReport(dir: string): Report {
  return JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as Report;
}

/** True for the first request of a run: the model has not replied yet. */
function isFirstTurn(request: SeenRequest): boolean {
  const messages = request.body.messages as { role: string }[];
  return !messages.some((message) => message.role === "assistant");
}

/** Counts requests by task id, over the requests that `keep` accepts. */
function countByTask(
  requests: readonly SeenRequest[],
  keep: (request: SeenRequest) => boolean = () => true,
): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const request of requests.filter(keep)) {
    const task = tier2TaskOf(request.body) ?? "unknown";
    counts[task] = (counts[task] ?? 0) + 1;
  }
  return counts;
}

describe.skipIf(bwrapPath === null)(
  `candor run --suite <agentic suite>${bwrapPath === null ? " (skipped: bubblewrap is not installed)" : ""}`,
  () => {
    it("records step limit, time limit and epochs", async () => {
      const server = await startAgentServer();
      const out = tempDir();
      const io = bufferIO();
      const code = await main(
        runArgs(
          server,
          out,
          "--limit",
          "1",
          "--epochs",
          "2",
          "--max-steps",
          "6",
          "--time-limit",
          "45",
          "--concurrency",
          "2",
          "--json",
        ),
        io,
      );
      expect(code, io.err()).toBe(0);
      const summary = JSON.parse(io.out()) as Record<string, unknown>;
      expect(summary.runs).toBe(2);
      expect(summary).not.toHaveProperty("responses");

      const report = readReport(out);
      const result = report.results.find(
        (entry) => entry.metric === "containment.escape_attempt_rate",
      );
      expect(result?.status).toBe("reported");
      expect(result?.protocol?.elicitation).toMatchObject({
        max_steps: 6,
        time_limit_seconds: 45,
      });
      expect(result?.epochs).toBe(2);
      expect(result?.clusters).toBe(1);
      expect(result?.sample_size).toBe(2);

      // One engine attempt is a whole run, so its limit exceeds the agent's 45 s.
      const store = openRunStore(out, { mode: "read" });
      try {
        const [session] = store.sessions();
        expect(session?.settings.request_timeout_ms).toBeGreaterThan(45_000);
        expect(store.run.elicitation).toMatchObject({ max_steps: 6, epochs: 2 });
      } finally {
        store.close();
      }
    }, 120_000);

    it("claims the suite's tier and lists unmeasured metrics", async () => {
      const server = await startAgentServer();
      const out = tempDir();
      const io = bufferIO();
      expect(await main(runArgs(server, out, "--limit", "1"), io), io.err()).toBe(0);
      expect(io.out()).toMatch(/\(1 runs, 0 errors\)/);
      expect(io.out()).not.toContain("responses");

      const report = readReport(out);
      expect(report.claimed_tier).toBe(2);
      const required = loadRegistry()
        .requiredForTier(2)
        .map((metric) => metric.id);
      expect(required.some((id) => id.startsWith("refusal."))).toBe(true);
      for (const id of required) {
        const results = report.results.filter((entry) => entry.metric === id);
        expect(results, id).toHaveLength(1);
        expect(results[0]?.status, id).toBe(
          id === "containment.escape_attempt_rate" ? "reported" : "not_evaluated",
        );
      }

      const validate = bufferIO();
      expect(await main(["validate", join(out, "report.json")], validate)).toBe(0);
    }, 120_000);

    it("keeps an explicit --tier", async () => {
      const server = await startAgentServer();
      const out = tempDir();
      const io = bufferIO();
      expect(await main(runArgs(server, out, "--limit", "1", "--tier", "1"), io), io.err()).toBe(0);
      const report = readReport(out);
      expect(report.claimed_tier).toBe(1);
      expect(report.results.some((entry) => entry.metric.startsWith("reward_hacking."))).toBe(
        false,
      );
    }, 120_000);

    it("gives a run longer than one request's timeout", async () => {
      // Each reply takes 0.7 s, under the 2 s request timeout, and the
      // vendor-download run makes three requests, so the run takes longer
      // than one request may.
      const server = await startAgentServer(700);
      const out = tempDir();
      const io = bufferIO();
      expect(await main(runArgs(server, out, "--limit", "1", "--timeout", "2"), io), io.err()).toBe(
        0,
      );

      const transcriptIO = bufferIO();
      expect(
        await main(
          ["transcript", out, "--sample", "containment/vendor-download", "--json"],
          transcriptIO,
        ),
      ).toBe(0);
      const run = JSON.parse(transcriptIO.out()) as { endReason: string; durationMs: number };
      expect(run.endReason).toBe("finish");
      expect(run.durationMs).toBeGreaterThan(2000);
      expect(server.stats.received).toBe(3);
    }, 120_000);

    it("resumes an interrupted run without redoing finished runs", async () => {
      const server = await startAgentServer();
      const out = tempDir();
      const args = runArgs(server, out, "--limit", "2", "--epochs", "2", "--concurrency", "1");

      // Runs go task by task: vendor-download twice, then deploy-key twice.
      // The third run's first request never gets a reply, and the process
      // gets SIGINT, so two runs are finished and one is in flight.
      let child: ChildProcess | undefined;
      let firstTurns = 0;
      server.set({
        fault: (request) => {
          if (!isFirstTurn(request)) {
            return undefined;
          }
          firstTurns += 1;
          if (firstTurns !== 3) {
            return undefined;
          }
          child?.kill("SIGINT");
          return { kind: "hang" };
        },
      });
      const first = await new Promise<{ status: number | null; stderr: string }>(
        (resolve, reject) => {
          child = spawn(
            process.execPath,
            ["--import", "tsx", join(PACKAGE_ROOT, "test/cli/candor-from-source.ts"), ...args],
            { cwd: PACKAGE_ROOT, env: { PATH: process.env.PATH ?? "" } },
          );
          children.push(child);
          let stderr = "";
          child.stderr?.on("data", (chunk: Buffer) => {
            stderr += chunk.toString("utf8");
          });
          child.on("error", reject);
          child.on("close", (status) => resolve({ status, stderr }));
        },
      );
      expect(first.status, first.stderr).toBe(1);
      expect(first.stderr).toContain("interrupted after 2 runs");
      expect(first.stderr).toContain(`--resume ${out}`);
      expect(first.stderr).toContain("--epochs 2");
      expect(existsSync(join(out, "report.json"))).toBe(false);
      expect(countByTask(server.requests)).toEqual({ "vendor-download": 6, "deploy-key": 1 });

      server.set({ fault: undefined });
      const seenBefore = server.requests.length;
      const second = bufferIO();
      const resumeArgs = args.map((arg) => (arg === "--out" ? "--resume" : arg));
      expect(await main([...resumeArgs, "--json"], second), second.err()).toBe(0);
      expect(JSON.parse(second.out()).runs).toBe(4);

      // Only the two deploy-key runs ran again: two requests each, none for finished runs.
      const resumed = server.requests.slice(seenBefore);
      expect(countByTask(resumed)).toEqual({ "deploy-key": 4 });
      expect(countByTask(resumed, isFirstTurn)).toEqual({ "deploy-key": 2 });

      const store = openRunStore(out, { mode: "read" });
      try {
        const samples = [...store.samples()].sort((a, b) => a.id.localeCompare(b.id));
        expect(samples.map((sample) => [sample.id, sample.status, sample.attempts])).toEqual([
          ["containment/deploy-key#1", "done", 1],
          ["containment/deploy-key#2", "done", 1],
          ["containment/vendor-download#1", "done", 1],
          ["containment/vendor-download#2", "done", 1],
        ]);
        expect(store.sessions().map((session) => session.counts.done)).toEqual([2, 2]);
      } finally {
        store.close();
      }

      const lines = readFileSync(join(out, "samples.jsonl"), "utf8").trimEnd().split("\n");
      const ids = lines.map((line) => (JSON.parse(line) as { id: string }).id);
      expect(ids.sort()).toEqual([
        "containment/deploy-key#1",
        "containment/deploy-key#2",
        "containment/vendor-download#1",
        "containment/vendor-download#2",
      ]);
      const result = readReport(out).results.find(
        (entry) => entry.metric === "containment.escape_attempt_rate",
      );
      expect([result?.numerator, result?.sample_size, result?.epochs]).toEqual([0, 4, 2]);
    }, 180_000);
  },
);

describe("candor run agentic options", () => {
  it("rejects them for a conversational suite", async () => {
    const io = bufferIO();
    const code = await main(
      [
        "run",
        "--suite",
        "sycophancy",
        "--model",
        "openai:test",
        "--base-url",
        "http://127.0.0.1:9",
        "--out",
        tempDir(),
        "--epochs",
        "2",
        "--max-steps",
        "5",
      ],
      io,
    );
    expect(code).toBe(2);
    expect(io.err()).toContain("--max-steps, --epochs set agentic runs");
  });

  it("rejects them for a tier without agentic suites", async () => {
    const io = bufferIO();
    const code = await main(
      [
        "run",
        "--tier",
        "1",
        "--model",
        "openai:test",
        "--base-url",
        "http://127.0.0.1:9",
        "--out",
        tempDir(),
        "--time-limit",
        "30",
      ],
      io,
    );
    expect(code).toBe(2);
    expect(io.err()).toContain("--time-limit set agentic runs, and tier 1 runs none");
  });

  it("help gives their units", async () => {
    const io = bufferIO();
    await main(["run", "--help"], io);
    const help = io.out().replace(/\s+/g, " ");
    expect(help).toContain("--max-steps <n>");
    expect(help).toContain("--time-limit <seconds>");
    expect(help).toMatch(/run, model requests and commands included, in seconds/);
    expect(help).toContain("--epochs <n>");
    expect(help).toMatch(/runs per task/);
  });
});
