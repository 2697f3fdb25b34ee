import { existsSync } from "node:fs";
import { join } from "node:path";
import { openRunStore, RUN_STORE_FILE, type RunInfo, type RunStore } from "../engine/index.js";

/** Engine settings of one pass of requests. */
export interface EngineSettings {
  /** Requests in flight at once. */
  concurrency: number;
  /** Attempts per request, the first included. */
  maxAttempts: number;
  /** Time limit of one attempt, in milliseconds; none when unset. */
  requestTimeoutMs?: number;
  /** Backoff ceiling of the first retry, in milliseconds; doubles with each further retry (default 1,000). */
  baseDelayMs?: number;
  /** Upper bound of any wait between attempts, in milliseconds (default 60,000). */
  maxDelayMs?: number;
}

export const DEFAULT_BASE_DELAY_MS = 1000;
export const DEFAULT_MAX_DELAY_MS = 60_000;

/**
 * The way a pass opens its run store. `create` starts a new run and fails
 * with RunExistsError when the folder already contains one. `resume`
 * continues the stored run and fails with RunNotFoundError when there is
 * none. `resume_or_create` continues a stored run or starts one. Resuming
 * fails with ResumeMismatchError when `run` names another suite digest,
 * provider or elicitation than the stored run.
 */
export type StoreMode = "create" | "resume" | "resume_or_create";

/** Opens the run store in `dir` for writing. */
export function openPassStore(dir: string, run: RunInfo, mode: StoreMode): RunStore {
  const resume =
    mode === "resume" || (mode === "resume_or_create" && existsSync(join(dir, RUN_STORE_FILE)));
  return openRunStore(dir, resume ? { mode: "resume", run } : { mode: "create", run });
}
