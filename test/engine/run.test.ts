import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  DuplicateSampleError,
  openRunStore,
  type RunEvent,
  type RunSamplesOptions,
  RunStoppedError,
  type RunStore,
  runSamples,
  type StoredSample,
} from "../../src/engine/index.js";
import { createOpenAIProvider } from "../../src/providers/openai.js";
import type { Fault, TestServer } from "../helpers/openai-server.js";
import { startOpenAIServer } from "../helpers/openai-server.js";
import {
  type ChatOutput,
  chatExecute,
  chatProvider,
  idOfRequest,
  type PromptSample,
  promptSamples,
  runInfo,
  sampleId,
} from "./fixtures/chat-run.js";

let server: TestServer;
const root = mkdtempSync(join(tmpdir(), "candor-engine-"));
let runCount = 0;

beforeAll(async () => {
  server = await startOpenAIServer();
});

afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

beforeEach(() => {
  server.set({ respond: undefined, fault: undefined, latencyMs: 0, apiKey: undefined });
  server.resetStats();
});

/** Makes the server fail requests for the given items with these faults, in order, then reply normally. */
function faultsByItem(plan: Record<string, Fault[]>): void {
  const remaining = new Map(Object.entries(plan).map(([id, faults]) => [id, [...faults]]));
  server.set({
    fault: (request) => {
      const id = idOfRequest(request.body);
      return id === undefined ? undefined : remaining.get(id)?.shift();
    },
  });
}

interface TestRun {
  store: RunStore;
  events: RunEvent[];
  rows: Map<string, StoredSample>;
}

/** Runs `count` samples against the test server with a fresh store and returns what was stored. */
async function run(
  count: number,
  overrides: Partial<RunSamplesOptions<PromptSample, ChatOutput>> = {},
): Promise<TestRun & { summary: Awaited<ReturnType<typeof runSamples>> }> {
  const provider = chatProvider(server.url);
  const store = openRunStore(join(root, `run-${runCount++}`), {
    mode: "create",
    run: runInfo(provider),
  });
  const events: RunEvent[] = [];
  try {
    const summary = await runSamples({
      samples: promptSamples(count),
      total: count,
      execute: chatExecute(provider),
      store,
      concurrency: 4,
      maxAttempts: 3,
      baseDelayMs: 10,
      maxDelayMs: 100,
      requestTimeoutMs: 2000,
      onEvent: (event) => events.push(event),
      ...overrides,
    });
    return { summary, store, events, rows: storedRows(store) };
  } finally {
    store.close();
  }
}

function storedRows(store: RunStore): Map<string, StoredSample> {
  store.flush();
  return new Map([...store.samples()].map((row) => [row.id, row]));
}

describe("runSamples with a faulty server", () => {
  it("recovers from each fault on the next attempt", async () => {
    faultsByItem({
      [sampleId(1)]: [{ kind: "status", status: 500 }],
      [sampleId(2)]: [{ kind: "status", status: 503 }],
      [sampleId(3)]: [{ kind: "status", status: 429, retryAfterMs: 20 }],
      [sampleId(4)]: [{ kind: "malformed" }],
      [sampleId(5)]: [{ kind: "missing_fields" }],
      [sampleId(6)]: [{ kind: "drop" }],
      [sampleId(7)]: [{ kind: "reset" }],
      [sampleId(8)]: [{ kind: "hang" }],
      [sampleId(9)]: [{ kind: "status", status: 500 }, { kind: "drop" }],
    });
    // The time limit must be far above a normal reply on a loaded machine, or extra retries appear.
    const { summary, rows, events } = await run(20, { requestTimeoutMs: 1500 });

    expect(summary.done).toBe(20);
    expect(summary.errors).toBe(0);
    expect(summary.retries).toBe(10);
    expect(rows.size).toBe(20);
    for (let index = 1; index <= 8; index++) {
      expect(rows.get(sampleId(index))?.attempts, sampleId(index)).toBe(2);
    }
    expect(rows.get(sampleId(9))?.attempts).toBe(3);
    expect(rows.get(sampleId(0))?.attempts).toBe(1);
    expect(rows.get(sampleId(8))?.output).toEqual({
      content: `Echo: Sample ${sampleId(8)}`,
      model: "test-model",
    });

    const reasons = events
      .flatMap((event) => (event.type === "retry" ? [`${event.id} ${event.reason}`] : []))
      .sort();
    expect(reasons).toEqual([
      `${sampleId(1)} HTTP 500`,
      `${sampleId(2)} HTTP 503`,
      `${sampleId(3)} HTTP 429`,
      `${sampleId(4)} bad response`,
      `${sampleId(5)} bad response`,
      `${sampleId(6)} network`,
      `${sampleId(7)} network`,
      `${sampleId(8)} timeout`,
      `${sampleId(9)} HTTP 500`,
      `${sampleId(9)} network`,
    ]);
  });

  it("records each lasting fault as an error after maxAttempts", async () => {
    const lasting: Record<string, Fault> = {
      [sampleId(0)]: { kind: "status", status: 503 },
      [sampleId(1)]: { kind: "status", status: 429, retryAfterMs: 10 },
      [sampleId(2)]: { kind: "malformed" },
      [sampleId(3)]: { kind: "drop" },
      [sampleId(4)]: { kind: "reset" },
      [sampleId(5)]: { kind: "hang" },
    };
    server.set({ fault: (request) => lasting[idOfRequest(request.body) ?? ""] });
    const { summary, rows, events } = await run(10, { requestTimeoutMs: 800, maxAttempts: 3 });

    expect(summary.done).toBe(4);
    expect(summary.errors).toBe(6);
    // Twelve retries for the six faulty samples; a slow reply on a loaded machine may add one.
    expect(summary.retries).toBeGreaterThanOrEqual(12);
    expect(rows.size).toBe(10);
    const expected: Record<string, RegExp> = {
      [sampleId(0)]: /HTTP 503/,
      [sampleId(1)]: /HTTP 429/,
      [sampleId(2)]: /invalid JSON/,
      [sampleId(3)]: /failed/,
      [sampleId(4)]: /failed/,
      [sampleId(5)]: /timed out/,
    };
    for (const [id, pattern] of Object.entries(expected)) {
      const row = rows.get(id);
      expect(row?.status, id).toBe("error");
      expect(row?.attempts, id).toBe(3);
      expect(row?.output, id).toBeUndefined();
      expect(row?.error, id).toMatch(pattern);
    }
    expect(events.filter((event) => event.type === "sample_error")).toHaveLength(6);
  });

  it("ends a non-retryable error after one attempt", async () => {
    server.set({
      fault: (request) =>
        idOfRequest(request.body) === sampleId(2)
          ? { kind: "status", status: 400, message: "bad field" }
          : undefined,
    });
    const { summary, rows } = await run(5);
    expect(summary.errors).toBe(1);
    expect(summary.retries).toBe(0);
    expect(rows.get(sampleId(2))?.attempts).toBe(1);
    expect(rows.get(sampleId(2))?.error).toContain("bad field");
  });

  it("waits at least Retry-After before retrying", async () => {
    faultsByItem({ [sampleId(0)]: [{ kind: "status", status: 429, retryAfter: "1" }] });
    const { rows } = await run(1, { maxDelayMs: 5000 });
    const times = server.requests.map((request) => request.receivedAt);
    expect(times).toHaveLength(2);
    const gap = (times[1] ?? 0) - (times[0] ?? 0);
    expect(gap).toBeGreaterThanOrEqual(990);
    expect(gap).toBeLessThan(1500);
    expect(rows.get(sampleId(0))?.status).toBe("done");
  });

  it("caps Retry-After at maxDelayMs", async () => {
    faultsByItem({ [sampleId(0)]: [{ kind: "status", status: 429, retryAfter: "30" }] });
    const { events } = await run(1, { maxDelayMs: 250 });
    const times = server.requests.map((request) => request.receivedAt);
    const gap = (times[1] ?? 0) - (times[0] ?? 0);
    expect(gap).toBeGreaterThanOrEqual(240);
    expect(gap).toBeLessThan(800);
    expect(events.find((event) => event.type === "retry")).toMatchObject({ delayMs: 250 });
  });

  it("holds back every worker during Retry-After", async () => {
    faultsByItem({ [sampleId(0)]: [{ kind: "status", status: 429, retryAfterMs: 400 }] });
    server.set({ latencyMs: 5 });
    await run(40, { concurrency: 2, maxDelayMs: 1000 });
    const rejected = server.requests.find((request) => idOfRequest(request.body) === sampleId(0));
    const start = (rejected?.receivedAt ?? 0) + 50;
    const during = server.requests.filter(
      (request) => request.receivedAt > start && request.receivedAt < start + 330,
    );
    expect(during).toHaveLength(0);
    expect(server.stats.received).toBe(41);
  });

  it("times out an attempt whose execute ignores the signal", async () => {
    const store = openRunStore(join(root, `run-${runCount++}`), {
      mode: "create",
      run: runInfo(chatProvider(server.url)),
    });
    let calls = 0;
    const summary = await runSamples({
      samples: [{ id: "only" }],
      execute: async (_sample, context) => {
        calls++;
        if (context.attempt === 1) {
          return new Promise<string>(() => undefined);
        }
        return "second";
      },
      store,
      concurrency: 1,
      maxAttempts: 2,
      baseDelayMs: 1,
      maxDelayMs: 1,
      requestTimeoutMs: 100,
    });
    const rows = storedRows(store);
    store.close();
    expect(calls).toBe(2);
    expect(summary.done).toBe(1);
    expect(rows.get("only")?.output).toBe("second");
  });
});

describe("runSamples scheduling", () => {
  it("never exceeds the concurrency bound", async () => {
    server.set({ latencyMs: 5 });
    const { summary } = await run(200, { concurrency: 8 });
    expect(summary.done).toBe(200);
    expect(server.stats.maxInFlight).toBe(8);
  });

  it("pulls samples lazily", async () => {
    let pulled = 0;
    let finished = 0;
    let maxAhead = 0;
    async function* samples() {
      for (const sample of promptSamples(100)) {
        pulled++;
        maxAhead = Math.max(maxAhead, pulled - finished);
        yield sample;
      }
    }
    const provider = chatProvider(server.url);
    const execute = chatExecute(provider);
    const summary = await runSamples({
      samples: samples(),
      execute: async (sample, context) => {
        const output = await execute(sample, context);
        finished++;
        return output;
      },
      concurrency: 5,
      maxAttempts: 1,
      baseDelayMs: 0,
      maxDelayMs: 0,
    });
    expect(summary.done).toBe(100);
    expect(maxAhead).toBeLessThanOrEqual(5);
  });

  it("emits progress with rate and ETA and a final count", async () => {
    server.set({ latencyMs: 20 });
    const { events } = await run(60, { concurrency: 2, progressIntervalMs: 50 });
    const progress = events.filter((event) => event.type === "progress");
    expect(progress.length).toBeGreaterThan(3);
    const middle = progress[Math.floor(progress.length / 2)];
    expect(middle?.total).toBe(60);
    expect(middle?.ratePerSecond).toBeGreaterThan(10);
    expect(middle?.etaSeconds).toBeGreaterThan(0);

    expect(events[0]?.type).toBe("started");
    const finished = events.at(-1);
    expect(finished).toMatchObject({
      type: "finished",
      done: 60,
      errors: 0,
      aborted: false,
      etaSeconds: 0,
    });
    expect(events.filter((event) => event.type === "sample_done")).toHaveLength(60);
  });

  it("stops on a fatal error and keeps what finished", async () => {
    const provider = createOpenAIProvider({
      model: "test-model",
      baseUrl: server.url,
      apiKey: "wrong",
    });
    server.set({ apiKey: "right", latencyMs: 2 });
    const dir = join(root, `run-${runCount++}`);
    const store = openRunStore(dir, { mode: "create", run: runInfo(provider) });
    const error = await runSamples({
      samples: promptSamples(50),
      execute: chatExecute(provider),
      store,
      concurrency: 2,
      maxAttempts: 3,
      baseDelayMs: 1,
      maxDelayMs: 5,
    }).catch((thrown: unknown) => thrown);
    const rows = storedRows(store);
    store.close();

    expect(error).toBeInstanceOf(RunStoppedError);
    expect((error as RunStoppedError).message).toContain("HTTP 401");
    expect((error as RunStoppedError).summary.errors).toBeLessThanOrEqual(2);
    expect(rows.size).toBeLessThanOrEqual(2);
    expect(server.stats.received).toBeLessThanOrEqual(2);
  });

  it("rejects a duplicate sample id", async () => {
    const store = openRunStore(join(root, `run-${runCount++}`), {
      mode: "create",
      run: runInfo(chatProvider(server.url)),
    });
    const error = await runSamples({
      samples: [{ id: "a" }, { id: "b" }, { id: "a" }],
      execute: async () => "ok",
      store,
      concurrency: 1,
      maxAttempts: 1,
      baseDelayMs: 0,
      maxDelayMs: 0,
    }).catch((thrown: unknown) => thrown);
    store.close();
    expect(error).toBeInstanceOf(DuplicateSampleError);
  });

  it("cancels without recording in-flight samples, then resumes", async () => {
    server.set({ latencyMs: 30 });
    const provider = chatProvider(server.url);
    const dir = join(root, `run-${runCount++}`);
    const controller = new AbortController();
    const first = openRunStore(dir, { mode: "create", run: runInfo(provider) });
    const options = {
      execute: chatExecute(provider),
      concurrency: 4,
      maxAttempts: 2,
      baseDelayMs: 1,
      maxDelayMs: 5,
    };
    setTimeout(() => controller.abort(), 150);
    const cancelled = await runSamples({
      ...options,
      samples: promptSamples(100),
      store: first,
      signal: controller.signal,
    });
    const stored = first.counts();
    first.close();
    expect(cancelled.aborted).toBe(true);
    expect(stored.done).toBe(cancelled.done);
    expect(stored.done).toBeGreaterThan(0);
    expect(stored.done).toBeLessThan(100);

    // Requests aborted in flight can still reach the server after the run
    // returns; wait until it is idle so they are not counted as resumed work.
    let seen = -1;
    while (server.stats.inFlight > 0 || server.stats.received !== seen) {
      seen = server.stats.received;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    server.resetStats();
    const second = openRunStore(dir, { mode: "resume", run: runInfo(provider) });
    const resumed = await runSamples({ ...options, samples: promptSamples(100), store: second });
    const rows = storedRows(second);
    second.close();
    expect(resumed.skipped).toBe(stored.done);
    expect(resumed.done).toBe(100 - stored.done);
    expect(server.stats.received).toBe(100 - stored.done);
    expect(rows.size).toBe(100);
  });

  it("runs without a store and hands outputs to onOutput", async () => {
    const outputs: string[] = [];
    const summary = await runSamples({
      samples: promptSamples(10),
      execute: chatExecute(chatProvider(server.url)),
      onOutput: (sample, output) => outputs.push(`${sample.id}=${output.content}`),
      concurrency: 3,
      maxAttempts: 1,
      baseDelayMs: 0,
      maxDelayMs: 0,
    });
    expect(summary.done).toBe(10);
    expect(outputs.sort()[0]).toBe(`${sampleId(0)}=Echo: Sample ${sampleId(0)}`);
  });
});
