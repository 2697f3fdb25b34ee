import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  openRunStore,
  ResumeMismatchError,
  runSamples,
  type StoredSample,
} from "../../src/engine/index.js";
import { startOpenAIServer, type TestServer } from "../helpers/openai-server.js";
import {
  chatExecute,
  chatProvider,
  idOfRequest,
  promptSamples,
  runInfo,
  sampleId,
} from "./fixtures/chat-run.js";

const COUNT = 400;
const root = mkdtempSync(join(tmpdir(), "candor-resume-"));
let server: TestServer;

/** Items whose index is a multiple of 50 always get 503, so they end as errors in both sessions. */
const failing = new Set(Array.from({ length: COUNT / 50 }, (_, index) => sampleId(index * 50)));
/** Items whose index ends in 7 get one 500 first, so the run has retries. */
const flaky = new Set(Array.from({ length: COUNT / 10 }, (_, index) => sampleId(index * 10 + 7)));

beforeAll(async () => {
  server = await startOpenAIServer({ latencyMs: 10, keepRequests: 10_000 });
  const failedOnce = new Set<string>();
  server.set({
    fault: (request) => {
      const id = idOfRequest(request.body) ?? "";
      if (failing.has(id)) {
        return { kind: "status", status: 503 };
      }
      if (flaky.has(id) && !failedOnce.has(id)) {
        failedOnce.add(id);
        return { kind: "status", status: 500 };
      }
      return undefined;
    },
  });
});

afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const check = () => {
      if (condition()) {
        resolve();
      } else if (Date.now() - start > timeoutMs) {
        reject(new Error(`condition not met within ${timeoutMs} ms`));
      } else {
        setTimeout(check, 10);
      }
    };
    check();
  });
}

function exited(child: ChildProcess): Promise<NodeJS.Signals | null> {
  return new Promise((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
}

describe("kill and resume", () => {
  it("ends every sample exactly once after kill -9", async () => {
    const dir = join(root, "killed");
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        join(import.meta.dirname, "fixtures", "child-run.ts"),
        dir,
        server.url,
        String(COUNT),
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exit = exited(child);

    // Kill once a third of the requests were sent and some batches were committed.
    await waitFor(() => server.stats.received >= COUNT / 3 || child.exitCode !== null, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    child.kill("SIGKILL");
    expect(await exit, output).toBe("SIGKILL");
    expect(output).not.toContain("finished");

    // What the killed run left behind.
    const before = openRunStore(dir, { mode: "read" });
    const doneBefore = new Set([...before.samples("done")].map((row) => row.id));
    const errorsBefore = [...before.samples("error")].map((row) => row.id);
    before.close();
    expect(doneBefore.size).toBeGreaterThan(0);
    expect(doneBefore.size + errorsBefore.length).toBeLessThan(COUNT);

    server.resetStats();
    const provider = chatProvider(server.url);
    const store = openRunStore(dir, { mode: "resume", run: runInfo(provider) });
    const summary = await runSamples({
      samples: promptSamples(COUNT),
      total: COUNT,
      execute: chatExecute(provider),
      store,
      concurrency: 8,
      maxAttempts: 2,
      baseDelayMs: 5,
      maxDelayMs: 20,
    });
    const rows: StoredSample[] = [...store.samples()];
    const sessions = store.sessions();
    store.close();

    // No sample recorded as done before the kill was sent again.
    const resent = server.requests
      .map((request) => idOfRequest(request.body))
      .filter((id) => doneBefore.has(id ?? ""));
    expect(resent).toEqual([]);

    // Every id exactly once, as done or error, and the counts add up.
    const ids = rows.map((row) => row.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(Array.from({ length: COUNT }, (_, index) => sampleId(index)));
    const errors = rows.filter((row) => row.status === "error");
    expect(errors.map((row) => row.id).sort()).toEqual([...failing].sort());
    expect(rows.filter((row) => row.status === "done")).toHaveLength(COUNT - failing.size);

    expect(summary.skipped).toBe(doneBefore.size);
    expect(summary.done + summary.errors + summary.skipped).toBe(COUNT);
    expect(summary.errors).toBe(failing.size);

    // Samples stored as errors before the kill were run again in the second session.
    for (const id of errorsBefore) {
      expect(rows.find((row) => row.id === id)?.session).toBe(2);
    }
    expect(sessions.map((session) => session.id)).toEqual([1, 2]);
    expect(sessions[0]?.finished).toBeUndefined();
    expect(sessions[1]?.counts).toEqual({
      done: summary.done,
      errors: summary.errors,
      skipped: summary.skipped,
      retries: summary.retries,
    });
  }, 60_000);

  it("refuses to resume with another suite digest or model", async () => {
    const dir = join(root, "mismatch");
    const provider = chatProvider(server.url);
    const store = openRunStore(dir, { mode: "create", run: runInfo(provider) });
    store.close();

    const otherDigest = `sha256:${"b".repeat(64)}`;
    const digestError = (() => {
      try {
        openRunStore(dir, { mode: "resume", run: runInfo(provider, otherDigest) });
      } catch (error) {
        return error;
      }
    })();
    expect(digestError).toBeInstanceOf(ResumeMismatchError);
    expect((digestError as ResumeMismatchError).field).toBe("suite digest");
    expect((digestError as ResumeMismatchError).message).toContain("a".repeat(64));
    expect((digestError as ResumeMismatchError).message).toContain(otherDigest);

    const otherSuite = {
      ...runInfo(provider),
      suite: { id: "sycophancy", version: "1.0.0", digest: otherDigest },
    };
    expect(() => openRunStore(dir, { mode: "resume", run: otherSuite })).toThrow(
      /its suite is "engine-test" but this run's is "sycophancy"/,
    );

    const otherModel = { ...runInfo(provider), provider: "openai:other-model" };
    expect(() => openRunStore(dir, { mode: "resume", run: otherModel })).toThrow(
      /model is "openai:test-model" but this run's is "openai:other-model"/,
    );
    const otherSettings = { ...runInfo(provider), elicitation: { temperature: 0.7 } };
    expect(() => openRunStore(dir, { mode: "resume", run: otherSettings })).toThrow(
      ResumeMismatchError,
    );
  });
});
