/**
 * The run store: one SQLite file, `run.sqlite`, in a run's output folder.
 *
 * Tables:
 * - `run`: one row with the provider, endpoint, suite id, version and digest,
 *   elicitation and other settings (JSON), and start and end times.
 * - `sessions`: one row per invocation (the first run and each resume) with
 *   the engine settings it used and its counts.
 * - `samples`: one row per sample id (the primary key) with status `done` or
 *   `error`, attempts, output (JSON) or last error message, timings and the
 *   session that wrote it.
 *
 * Crash safety: finished samples are buffered and written in one transaction
 * per batch. A transaction is atomic, so after `kill -9` the file contains every
 * batch committed before it and nothing of the batch in progress; samples of
 * the lost batch are simply run again on resume. The database is in WAL mode
 * with synchronous=NORMAL: a commit reaches the operating system before
 * `COMMIT` returns, so a killed process loses nothing committed, but a power
 * failure may lose the last few commits (never corrupt the file). That costs
 * only reruns, which is why the fsync per commit of synchronous=FULL is not
 * worth its price here.
 *
 * Resume: samples stored as `done` are never overwritten (the upsert skips
 * them) and the engine skips them. Samples stored as `error` are run again,
 * because most errors (rate limits, timeouts, a server that was down) are
 * transient and a resume is the user's request to try again; a new result
 * replaces the error row. Resuming is refused when the suite digest, the
 * provider or the elicitation differ from the stored run.
 *
 * A `run.lock` file holds the process id of the writer, so two processes
 * cannot write one run at once. A lock left by a process that no longer
 * exists (after a crash) is taken over. NOTE: a lock whose process id has
 * since been reused by an unrelated live process blocks until it is removed
 * by hand; the error names that process id.
 */

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import { InputOutputError, quote } from "../errors.js";
import {
  ResumeMismatchError,
  RunExistsError,
  RunLockedError,
  RunNotFoundError,
  RunStoreFormatError,
} from "./errors.js";

export const RUN_STORE_FILE = "run.sqlite";
const LOCK_FILE = "run.lock";
const SCHEMA_VERSION = 1;
const DEFAULT_BATCH_SIZE = 256;

/** Identity of a run, which a resume must match. */
export interface RunInfo {
  /** Provider id as written on the command line, for example openai:llama-3-8b. */
  provider: string;
  /** Endpoint and model identifier, for the report's model identity. */
  endpoint?: string;
  suite: { id: string; version: string; digest: string };
  /** Generation settings sent to the model (temperature, max tokens, system prompt digest...). */
  elicitation?: Record<string, unknown>;
  /** Anything else the caller wants recorded with the run (options, dataset path...). */
  settings?: Record<string, unknown>;
}

export interface StoredRun extends RunInfo {
  /** RFC 3339. */
  started: string;
  /** RFC 3339; undefined until a session finishes every sample. */
  finished: string | undefined;
}

export type SampleStatus = "done" | "error";

/** One finished sample as the engine hands it to the store. */
export interface SampleRecord {
  id: string;
  status: SampleStatus;
  attempts: number;
  /** The output, for done samples. */
  output?: unknown;
  /** The last error message, for error samples. */
  error?: string;
  /** Start of the first attempt and end of the last one, in milliseconds since the epoch. */
  startedAt: number;
  finishedAt: number;
  /** Duration of the last attempt, in milliseconds. */
  latencyMs: number;
}

export interface StoredSample extends SampleRecord {
  session: number;
}

export interface SessionCounts {
  done: number;
  errors: number;
  skipped: number;
  retries: number;
}

export type OpenRunStoreOptions =
  | { mode: "create"; run: RunInfo; batchSize?: number }
  | { mode: "resume"; run: RunInfo; batchSize?: number }
  | { mode: "read" };

interface PendingRow {
  id: string;
  status: SampleStatus;
  attempts: number;
  output: string | null;
  error: string | null;
  startedAt: number;
  finishedAt: number;
  latencyMs: number;
  session: number;
}

interface RunRow {
  provider: string;
  endpoint: string | null;
  suite_id: string;
  suite_version: string;
  suite_digest: string;
  elicitation: string | null;
  settings: string | null;
  started: string;
  finished: string | null;
}

interface SampleRow {
  id: string;
  status: SampleStatus;
  attempts: number;
  output: string | null;
  error: string | null;
  started_at: number;
  finished_at: number;
  latency_ms: number;
  session: number;
}

/**
 * Opens the run store in `dir`:
 * - `create` starts a new run, creating the folder; it fails with
 *   `RunExistsError` when the folder already contains one.
 * - `resume` reopens a run for writing after checking that `run` matches it.
 * - `read` opens a finished or interrupted run to read its samples.
 */
export function openRunStore(
  dir: string,
  options: OpenRunStoreOptions = { mode: "read" },
): RunStore {
  const folder = resolve(dir);
  const path = join(folder, RUN_STORE_FILE);

  if (options.mode === "create") {
    try {
      mkdirSync(folder, { recursive: true });
    } catch (error) {
      throw new InputOutputError(
        "run_dir_unwritable",
        folder,
        `cannot create the output folder ${quote(folder)}`,
        {
          cause: error,
        },
      );
    }
  } else if (!existsSync(path)) {
    throw new RunNotFoundError(folder);
  }

  const writable = options.mode !== "read";
  if (writable) {
    acquireLock(folder);
  }

  let db: Database.Database;
  try {
    db = new Database(path, { readonly: !writable, fileMustExist: options.mode !== "create" });
  } catch (error) {
    if (writable) {
      releaseLock(folder);
    }
    throw new RunStoreFormatError(path, error instanceof Error ? error.message : String(error));
  }

  try {
    try {
      if (writable) {
        db.pragma("journal_mode = WAL");
        db.pragma("synchronous = NORMAL");
      }
      db.pragma("busy_timeout = 5000");
    } catch (error) {
      // SQLite opens any file lazily; the first statement finds out that a
      // run.sqlite holding other bytes is not a database.
      throw new RunStoreFormatError(path, error instanceof Error ? error.message : String(error));
    }

    if (options.mode === "create") {
      createSchema(db, folder, options.run);
    }
    checkSchema(db, path);
    const run = readRun(db, folder);
    if (options.mode === "resume") {
      checkResumable(folder, run, options.run);
    }
    const batchSize =
      options.mode === "read" ? DEFAULT_BATCH_SIZE : (options.batchSize ?? DEFAULT_BATCH_SIZE);
    return new RunStore(db, folder, path, run, writable, batchSize);
  } catch (error) {
    db.close();
    if (writable) {
      releaseLock(folder);
    }
    throw error;
  }
}

/**
 * An open run store. Writes are buffered: `record` queues a finished sample
 * and commits the queue once it holds `batchSize` rows; `flush` commits it
 * at once. Call `close` when the run ends; it flushes first.
 */
export class RunStore {
  readonly dir: string;
  readonly path: string;
  readonly run: StoredRun;

  readonly #db: Database.Database;
  readonly #writable: boolean;
  readonly #batchSize: number;
  /** Finished samples not yet committed, by id, so lookups see them too. */
  readonly #pending = new Map<string, PendingRow>();
  #session = 0;
  #closed = false;

  readonly #lookup: Database.Statement<[string], { status: SampleStatus; session: number }>;
  readonly #upsert: Database.Statement<unknown[]> | undefined;
  readonly #commitBatch: ((rows: PendingRow[]) => void) | undefined;

  constructor(
    db: Database.Database,
    dir: string,
    path: string,
    run: StoredRun,
    writable: boolean,
    batchSize: number,
  ) {
    this.#db = db;
    this.dir = dir;
    this.path = path;
    this.run = run;
    this.#writable = writable;
    this.#batchSize = Math.max(1, batchSize);
    this.#lookup = db.prepare("SELECT status, session FROM samples WHERE id = ?");

    if (writable) {
      // A sample stored as done is final: the WHERE clause keeps a later write from replacing it.
      const upsert = db.prepare(
        `INSERT INTO samples (id, status, attempts, output, error, started_at, finished_at, latency_ms, session)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET
           status = excluded.status, attempts = excluded.attempts, output = excluded.output,
           error = excluded.error, started_at = excluded.started_at, finished_at = excluded.finished_at,
           latency_ms = excluded.latency_ms, session = excluded.session
         WHERE samples.status <> 'done'`,
      );
      this.#upsert = upsert;
      this.#commitBatch = db.transaction((rows: PendingRow[]) => {
        for (const row of rows) {
          upsert.run(
            row.id,
            row.status,
            row.attempts,
            row.output,
            row.error,
            row.startedAt,
            row.finishedAt,
            row.latencyMs,
            row.session,
          );
        }
      });
    }
  }

  /** Number of the current session, 0 before `beginSession`. */
  get session(): number {
    return this.#session;
  }

  /** True when samples from an earlier session are stored. */
  get hasSamples(): boolean {
    return this.#db.prepare("SELECT 1 FROM samples LIMIT 1").get() !== undefined;
  }

  /** Starts a session that records the engine settings it runs with, and returns its number. */
  beginSession(settings: Record<string, unknown>, now: Date = new Date()): number {
    this.#assertWritable();
    const result = this.#db
      .prepare("INSERT INTO sessions (started, settings) VALUES (?, ?)")
      .run(now.toISOString(), JSON.stringify(settings));
    this.#session = Number(result.lastInsertRowid);
    return this.#session;
  }

  /** Ends the current session; `complete` marks the whole run finished. Flushes first. */
  endSession(counts: SessionCounts, complete: boolean, now: Date = new Date()): void {
    this.#assertWritable();
    this.flush();
    const finished = now.toISOString();
    this.#db.transaction(() => {
      this.#db
        .prepare(
          "UPDATE sessions SET finished = ?, done = ?, errors = ?, skipped = ?, retries = ? WHERE id = ?",
        )
        .run(finished, counts.done, counts.errors, counts.skipped, counts.retries, this.#session);
      if (complete) {
        this.#db.prepare("UPDATE run SET finished = ?").run(finished);
      }
    })();
    if (complete) {
      this.run.finished = finished;
    }
  }

  /** Stored status of a sample and the session that wrote it, including rows not yet committed. */
  lookup(id: string): { status: SampleStatus; session: number } | undefined {
    const pending = this.#pending.get(id);
    if (pending !== undefined) {
      return { status: pending.status, session: pending.session };
    }
    return this.#lookup.get(id);
  }

  /**
   * Queues a finished sample; commits the queue when it is full. The output
   * is serialised here, so a value JSON cannot hold fails this call, not a
   * later batch.
   */
  record(sample: SampleRecord): void {
    this.#assertWritable();
    this.#pending.set(sample.id, {
      id: sample.id,
      status: sample.status,
      attempts: sample.attempts,
      output: sample.output === undefined ? null : JSON.stringify(sample.output),
      error: sample.error ?? null,
      startedAt: sample.startedAt,
      finishedAt: sample.finishedAt,
      latencyMs: sample.latencyMs,
      session: this.#session,
    });
    if (this.#pending.size >= this.#batchSize) {
      this.flush();
    }
  }

  /** Commits every queued sample in one transaction. */
  flush(): void {
    if (this.#pending.size === 0 || this.#commitBatch === undefined) {
      return;
    }
    const rows = [...this.#pending.values()];
    this.#commitBatch(rows);
    this.#pending.clear();
  }

  /** Numbers of stored samples by status (committed rows only). */
  counts(): { done: number; errors: number } {
    const rows = this.#db
      .prepare("SELECT status, COUNT(*) AS n FROM samples GROUP BY status")
      .all() as {
      status: SampleStatus;
      n: number;
    }[];
    let done = 0;
    let errors = 0;
    for (const row of rows) {
      if (row.status === "done") {
        done = row.n;
      } else {
        errors = row.n;
      }
    }
    return { done, errors };
  }

  /** Iterates stored samples in the order they were first written, reading one row at a time. */
  *samples(status?: SampleStatus): IterableIterator<StoredSample> {
    const rows =
      status === undefined
        ? this.#db.prepare<[], SampleRow>("SELECT * FROM samples ORDER BY rowid").iterate()
        : this.#db
            .prepare<[string], SampleRow>("SELECT * FROM samples WHERE status = ? ORDER BY rowid")
            .iterate(status);
    for (const row of rows) {
      yield fromRow(row);
    }
  }

  /** The sessions of this run, oldest first, with their settings and counts. */
  sessions(): {
    id: number;
    started: string;
    finished: string | undefined;
    settings: Record<string, unknown>;
    counts: SessionCounts;
  }[] {
    const rows = this.#db.prepare("SELECT * FROM sessions ORDER BY id").all() as {
      id: number;
      started: string;
      finished: string | null;
      settings: string;
      done: number;
      errors: number;
      skipped: number;
      retries: number;
    }[];
    return rows.map((row) => ({
      id: row.id,
      started: row.started,
      finished: row.finished ?? undefined,
      settings: JSON.parse(row.settings) as Record<string, unknown>,
      counts: { done: row.done, errors: row.errors, skipped: row.skipped, retries: row.retries },
    }));
  }

  /** Flushes, closes the database and releases the lock. Safe to call twice. */
  close(): void {
    if (this.#closed) {
      return;
    }
    this.#closed = true;
    try {
      if (this.#writable) {
        this.flush();
      }
    } finally {
      this.#db.close();
      if (this.#writable) {
        releaseLock(this.dir);
      }
    }
  }

  #assertWritable(): void {
    if (!this.#writable || this.#upsert === undefined) {
      throw new Error("the run store was opened for reading");
    }
  }
}

function createSchema(db: Database.Database, dir: string, run: RunInfo): void {
  const exists = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'run'")
    .get();
  if (exists !== undefined && db.prepare("SELECT 1 FROM run").get() !== undefined) {
    throw new RunExistsError(dir);
  }

  db.transaction(() => {
    db.exec(`
      CREATE TABLE IF NOT EXISTS run (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        provider TEXT NOT NULL,
        endpoint TEXT,
        suite_id TEXT NOT NULL,
        suite_version TEXT NOT NULL,
        suite_digest TEXT NOT NULL,
        elicitation TEXT,
        settings TEXT,
        started TEXT NOT NULL,
        finished TEXT
      );
      CREATE TABLE IF NOT EXISTS sessions (
        id INTEGER PRIMARY KEY,
        started TEXT NOT NULL,
        finished TEXT,
        settings TEXT NOT NULL,
        done INTEGER NOT NULL DEFAULT 0,
        errors INTEGER NOT NULL DEFAULT 0,
        skipped INTEGER NOT NULL DEFAULT 0,
        retries INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE IF NOT EXISTS samples (
        id TEXT PRIMARY KEY,
        status TEXT NOT NULL CHECK (status IN ('done', 'error')),
        attempts INTEGER NOT NULL,
        output TEXT,
        error TEXT,
        started_at INTEGER NOT NULL,
        finished_at INTEGER NOT NULL,
        latency_ms REAL NOT NULL,
        session INTEGER NOT NULL
      );
    `);
    db.prepare(
      `INSERT INTO run (id, provider, endpoint, suite_id, suite_version, suite_digest, elicitation, settings, started)
       VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      run.provider,
      run.endpoint ?? null,
      run.suite.id,
      run.suite.version,
      run.suite.digest,
      run.elicitation === undefined ? null : JSON.stringify(run.elicitation),
      run.settings === undefined ? null : JSON.stringify(run.settings),
      new Date().toISOString(),
    );
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  })();
}

function checkSchema(db: Database.Database, path: string): void {
  let version: unknown;
  try {
    version = db.pragma("user_version", { simple: true });
  } catch (error) {
    throw new RunStoreFormatError(path, error instanceof Error ? error.message : String(error));
  }
  if (version !== SCHEMA_VERSION) {
    throw new RunStoreFormatError(
      path,
      `schema version ${String(version)}, expected ${SCHEMA_VERSION}`,
    );
  }
}

function readRun(db: Database.Database, dir: string): StoredRun {
  const row = db.prepare("SELECT * FROM run WHERE id = 1").get() as RunRow | undefined;
  if (row === undefined) {
    throw new RunNotFoundError(dir);
  }
  const run: StoredRun = {
    provider: row.provider,
    suite: { id: row.suite_id, version: row.suite_version, digest: row.suite_digest },
    started: row.started,
    finished: row.finished ?? undefined,
  };
  if (row.endpoint !== null) {
    run.endpoint = row.endpoint;
  }
  if (row.elicitation !== null) {
    run.elicitation = JSON.parse(row.elicitation) as Record<string, unknown>;
  }
  if (row.settings !== null) {
    run.settings = JSON.parse(row.settings) as Record<string, unknown>;
  }
  return run;
}

function checkResumable(dir: string, stored: StoredRun, requested: RunInfo): void {
  // The suite id first: two digests tell a reader nothing when the suites differ.
  if (stored.suite.id !== requested.suite.id) {
    throw new ResumeMismatchError(dir, "suite", stored.suite.id, requested.suite.id);
  }
  if (stored.suite.digest !== requested.suite.digest) {
    throw new ResumeMismatchError(dir, "suite digest", stored.suite.digest, requested.suite.digest);
  }
  if (stored.provider !== requested.provider) {
    throw new ResumeMismatchError(dir, "model", stored.provider, requested.provider);
  }
  const storedElicitation = canonicalJson(stored.elicitation ?? {});
  const requestedElicitation = canonicalJson(requested.elicitation ?? {});
  if (storedElicitation !== requestedElicitation) {
    throw new ResumeMismatchError(dir, "elicitation", storedElicitation, requestedElicitation);
  }
}

/** JSON with object keys sorted, so equal settings compare equal whatever their key order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (item === null || typeof item !== "object" || Array.isArray(item)) {
      return item;
    }
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(item).sort()) {
      sorted[key] = (item as Record<string, unknown>)[key];
    }
    return sorted;
  });
}

function fromRow(row: SampleRow): StoredSample {
  const sample: StoredSample = {
    id: row.id,
    status: row.status,
    attempts: row.attempts,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    latencyMs: row.latency_ms,
    session: row.session,
  };
  if (row.output !== null) {
    sample.output = JSON.parse(row.output);
  }
  if (row.error !== null) {
    sample.error = row.error;
  }
  return sample;
}

function acquireLock(dir: string): void {
  const path = join(dir, LOCK_FILE);
  let holder = Number.NaN;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      // "wx" fails when the file exists, so two processes cannot both create the lock.
      writeFileSync(path, `${process.pid}\n`, { flag: "wx" });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
        throw new InputOutputError(
          "run_lock_failed",
          path,
          `cannot create the lock file ${quote(path)}`,
          {
            cause: error,
          },
        );
      }
    }

    try {
      holder = Number.parseInt(readFileSync(path, "utf8"), 10);
    } catch {
      holder = Number.NaN;
    }
    if (holder === process.pid) {
      return;
    }
    if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
      throw new RunLockedError(dir, holder);
    }
    // The process that wrote the lock is gone (a crash or kill), so the lock is stale.
    rmSync(path, { force: true });
  }
  throw new RunLockedError(dir, holder);
}

function releaseLock(dir: string): void {
  const path = join(dir, LOCK_FILE);
  try {
    if (Number.parseInt(readFileSync(path, "utf8"), 10) === process.pid) {
      rmSync(path, { force: true });
    }
  } catch {
    // Already gone: nothing to release.
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM means the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
