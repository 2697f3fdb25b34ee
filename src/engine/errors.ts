/**
 * Errors of the run engine and the run store. Each has a stable code, quotes
 * the offending values and says what to do next.
 */

import { CandorError, quote } from "../errors.js";
import type { RunSummary } from "./types.js";

/** The output folder already holds a run, and the caller did not ask to resume it. */
export class RunExistsError extends CandorError {
  readonly dir: string;

  constructor(dir: string) {
    super("run_exists", `the folder ${quote(dir)} already contains a run`, {
      hint: `Resume it with --resume ${dir}, or choose another output folder.`,
    });
    this.dir = dir;
  }
}

/** The folder has no run store to resume or read. */
export class RunNotFoundError extends CandorError {
  readonly dir: string;

  constructor(dir: string) {
    super(
      "run_not_found",
      `no run found in ${quote(dir)}: run.sqlite is missing or contains no run`,
      {
        hint: "Give the output folder of an earlier run.",
      },
    );
    this.dir = dir;
  }
}

/** Another live process is writing to the same run store. */
export class RunLockedError extends CandorError {
  readonly dir: string;
  readonly pid: number;

  constructor(dir: string, pid: number) {
    super("run_locked", `the run in ${quote(dir)} is in use by process ${pid}`, {
      hint: "Wait for that run to finish or stop it. If that process is not a Candor run, delete run.lock in the folder.",
    });
    this.dir = dir;
    this.pid = pid;
  }
}

/** A resumed run would mix samples from two different settings. */
export class ResumeMismatchError extends CandorError {
  readonly field: string;
  readonly stored: string;
  readonly requested: string;

  constructor(dir: string, field: string, stored: string, requested: string) {
    super(
      "resume_mismatch",
      `cannot resume the run in ${quote(dir)}: its ${field} is ${quote(stored, 200)} but this run's is ${quote(requested, 200)}`,
      {
        hint: "Resume with the same suite, model and generation settings, or start a new run in another folder.",
      },
    );
    this.field = field;
    this.stored = stored;
    this.requested = requested;
  }
}

/** The run store file exists but is not one this version can read. */
export class RunStoreFormatError extends CandorError {
  readonly path: string;

  constructor(path: string, detail: string) {
    super("run_store_format", `${quote(path)} is not a Candor run store: ${detail}`, {
      hint: "Point to a folder written by candor run, or remove the file and start again.",
    });
    this.path = path;
  }
}

/** Two samples in one run have the same id. */
export class DuplicateSampleError extends CandorError {
  readonly sampleId: string;

  constructor(sampleId: string) {
    super("duplicate_sample", `sample id ${quote(sampleId)} appears twice in the run`, {
      hint: "Sample ids must be unique within a suite.",
    });
    this.sampleId = sampleId;
  }
}

/** A sample without a usable id. */
export class InvalidSampleError extends CandorError {
  constructor(detail: string) {
    super("invalid_sample", `invalid sample: ${detail}`, {
      hint: "Every sample needs a non-empty string id.",
    });
  }
}

/**
 * The engine stopped a run early because of an error no retry can fix (a
 * rejected API key, an unknown model, a duplicate id). Samples finished before
 * it are stored; resuming the run redoes the rest.
 */
export class RunStoppedError extends CandorError {
  readonly summary: RunSummary;

  constructor(reason: string, summary: RunSummary, cause: unknown) {
    super("run_stopped", `the run stopped early: ${reason}`, {
      hint: "Fix the cause, then resume the run to finish the remaining samples.",
      cause,
      exitCode: 1,
    });
    this.summary = summary;
  }
}
