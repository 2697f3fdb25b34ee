import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import {
  describeRun,
  openRunStore,
  RUN_STORE_FILE,
  RunExistsError,
  type RunInfo,
  RunLockedError,
  RunNotFoundError,
  RunStoreFormatError,
} from "../../src/engine/index.js";
import { createAjv } from "../../src/spec/ajv.js";

const root = mkdtempSync(join(tmpdir(), "candor-store-"));
let folders = 0;

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

const info: RunInfo = {
  provider: "openai:test-model",
  endpoint: "http://127.0.0.1:1/v1 test-model",
  suite: { id: "refusal-calibration", version: "1.0.0", digest: `sha256:${"c".repeat(64)}` },
  elicitation: { temperature: 0, max_tokens: 512 },
  settings: { dataset: null },
};

function freshDir(): string {
  return join(root, `store-${folders++}`);
}

function sample(id: string, status: "done" | "error", extra: Record<string, unknown> = {}) {
  return { id, status, attempts: 1, startedAt: 1000, finishedAt: 1250, latencyMs: 250, ...extra };
}

describe("run store", () => {
  it("creates the tables in WAL mode and reads the run back", () => {
    const dir = freshDir();
    const store = openRunStore(dir, { mode: "create", run: info });
    expect(store.path).toBe(join(dir, RUN_STORE_FILE));
    expect(store.run).toMatchObject({ ...info, finished: undefined });
    store.close();

    const db = new Database(join(dir, RUN_STORE_FILE), { readonly: true });
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all();
    expect(tables).toEqual(["run", "samples", "sessions"]);
    db.close();
  });

  it("records samples in batches and keeps done rows final", () => {
    const dir = freshDir();
    const store = openRunStore(dir, { mode: "create", run: info, batchSize: 3 });
    store.beginSession({ concurrency: 2 });
    store.record(sample("a", "done", { output: { label: "full_compliance" } }));
    store.record(sample("b", "error", { error: "HTTP 503", attempts: 4 }));
    expect(store.lookup("a")).toEqual({ status: "done", session: 1 });
    expect(store.counts()).toEqual({ done: 0, errors: 0 });

    store.record(sample("c", "done", { output: "text" }));
    expect(store.counts()).toEqual({ done: 2, errors: 1 });

    // A later write for a done id changes nothing; one for an error id replaces it.
    store.record(sample("a", "error", { error: "late" }));
    store.record(sample("b", "done", { output: "recovered", attempts: 2 }));
    store.flush();
    const rows = [...store.samples()];
    expect(rows.map((row) => [row.id, row.status])).toEqual([
      ["a", "done"],
      ["b", "done"],
      ["c", "done"],
    ]);
    expect(rows[0]?.output).toEqual({ label: "full_compliance" });
    expect(rows[0]?.error).toBeUndefined();
    expect(rows[1]).toMatchObject({
      output: "recovered",
      attempts: 2,
      startedAt: 1000,
      finishedAt: 1250,
      latencyMs: 250,
    });

    store.endSession({ done: 3, errors: 0, skipped: 0, retries: 1 }, true);
    expect(store.run.finished).toBeDefined();
    expect(store.sessions()[0]).toMatchObject({
      settings: { concurrency: 2 },
      counts: { done: 3, retries: 1 },
    });
    store.close();
  });

  it("rejects an output that JSON cannot hold when it is recorded", () => {
    const store = openRunStore(freshDir(), { mode: "create", run: info });
    store.beginSession({});
    expect(() => store.record(sample("big", "done", { output: 10n }))).toThrow(TypeError);
    store.close();
  });

  it("refuses to create a run over an existing one", () => {
    const dir = freshDir();
    openRunStore(dir, { mode: "create", run: info }).close();
    expect(() => openRunStore(dir, { mode: "create", run: info })).toThrow(RunExistsError);
  });

  it("refuses to resume or read a folder without a run", () => {
    expect(() => openRunStore(freshDir(), { mode: "resume", run: info })).toThrow(RunNotFoundError);
    expect(() => openRunStore(freshDir())).toThrow(RunNotFoundError);
  });

  it("rejects a file that is not a run store", () => {
    const dir = freshDir();
    mkdirSync(dir);
    writeFileSync(
      join(dir, RUN_STORE_FILE),
      "not a database at all, just text that is long enough",
    );
    expect(() => openRunStore(dir)).toThrow(RunStoreFormatError);
  });

  it("rejects a file that is not a run store when resuming", () => {
    const dir = freshDir();
    mkdirSync(dir);
    writeFileSync(join(dir, RUN_STORE_FILE), "junk\n");
    // Opening for writing sets the journal mode first, which is where SQLite
    // finds out; that error once escaped as an internal error.
    expect(() => openRunStore(dir, { mode: "resume", run: info })).toThrow(RunStoreFormatError);
    expect(() => openRunStore(dir, { mode: "resume", run: info })).toThrow(
      /is not a Candor run store: file is not a database/,
    );
    expect(existsSync(join(dir, "run.lock"))).toBe(false);
  });

  it("opens read-only stores that cannot write", () => {
    const dir = freshDir();
    openRunStore(dir, { mode: "create", run: info }).close();
    const reader = openRunStore(dir);
    expect(() => reader.record(sample("x", "done"))).toThrow("opened for reading");
    reader.close();
  });

  it("locks the run against a second live writer", async () => {
    const dir = freshDir();
    openRunStore(dir, { mode: "create", run: info }).close();
    expect(existsSync(join(dir, "run.lock"))).toBe(false);

    const sleeper = spawn(process.execPath, ["-e", "setTimeout(() => {}, 30000)"], {
      stdio: "ignore",
    });
    try {
      writeFileSync(join(dir, "run.lock"), `${sleeper.pid}\n`);
      const error = (() => {
        try {
          openRunStore(dir, { mode: "resume", run: info });
        } catch (thrown) {
          return thrown;
        }
      })();
      expect(error).toBeInstanceOf(RunLockedError);
      expect((error as RunLockedError).pid).toBe(sleeper.pid);
    } finally {
      const exit = new Promise((resolve) => sleeper.once("exit", resolve));
      sleeper.kill("SIGKILL");
      await exit;
    }

    // The holder is gone now, so its lock is stale and is taken over.
    const store = openRunStore(dir, { mode: "resume", run: info });
    expect(readFileSync(join(dir, "run.lock"), "utf8").trim()).toBe(String(process.pid));
    store.close();
    expect(existsSync(join(dir, "run.lock"))).toBe(false);
  });
});

describe("describeRun", () => {
  it("sums sessions into a valid report run object", () => {
    const dir = freshDir();
    const first = openRunStore(dir, { mode: "create", run: info });
    first.beginSession({ concurrency: 4, max_attempts: 3, request_timeout_ms: 60_000 });
    first.record(sample("a", "done", { output: "x" }));
    first.record(sample("b", "error", { error: "HTTP 503" }));
    first.endSession({ done: 1, errors: 1, skipped: 0, retries: 7 }, false);
    first.close();

    const second = openRunStore(dir, { mode: "resume", run: info });
    second.beginSession({ concurrency: 8, max_attempts: 2, request_timeout_ms: 30_000 });
    second.record(sample("b", "done", { output: "y" }));
    second.endSession({ done: 1, errors: 0, skipped: 1, retries: 2 }, true);
    const description = describeRun(second, "candor 0.1.0");
    second.close();

    expect(description).toEqual({
      tool: "candor 0.1.0",
      started: second.run.started,
      finished: second.run.finished,
      concurrency: 8,
      max_attempts: 3,
      request_timeout_seconds: 60,
      retries: 9,
      errors: 0,
    });

    const schema = JSON.parse(
      readFileSync(join(import.meta.dirname, "../../spec/schema/report.schema.json"), "utf8"),
    );
    const ajv = createAjv();
    ajv.addSchema(schema);
    const validate = ajv.getSchema(`${schema.$id}#/$defs/run`);
    expect(validate?.(description), JSON.stringify(validate?.errors)).toBe(true);
  });
});
