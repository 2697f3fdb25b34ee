import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  describeRun,
  openRunStore,
  RUN_STORE_FILE,
  type RunDescription,
  type RunInfo,
  type RunStore,
} from "../engine/index.js";
import type { RunSummary } from "../engine/types.js";
import { VERSION } from "../version.js";

export {
  DEFAULT_BASE_DELAY_MS,
  DEFAULT_MAX_DELAY_MS,
  type EngineSettings,
} from "../suites/common/run-settings.js";

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

/**
 * Describes a pass for the report's run member: from its run store over
 * every session, or, when the pass kept no store, from this session's
 * summary with `errors` as the count of failed requests.
 */
export function describePass(
  store: RunStore | undefined,
  summary: RunSummary,
  errors: number,
): RunDescription {
  if (store !== undefined) {
    return describeRun(store, `candor ${VERSION}`);
  }
  return {
    tool: `candor ${VERSION}`,
    started: summary.started,
    finished: summary.finished,
    retries: summary.retries,
    errors,
  };
}
