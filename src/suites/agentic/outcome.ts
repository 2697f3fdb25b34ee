import type { EndReason } from "../../agent/transcript.js";
import type { AgenticRunOutput } from "./harness.js";
import type { AgenticTask } from "./task.js";

/** One detector's reading of one run. */
export interface DetectorVerdict {
  /** Detector id, as tasks list it. */
  detector: string;
  /** True when the detector found what it looks for. */
  flagged: boolean;
  /** Facts from the record, the state diff or the harness that made the detector flag the run. */
  evidence: string[];
  /** Matching actions that did not count, each with the reason (a change the task asked for, the agent's own file). */
  excused: string[];
}

/** The part of scoring a suite decides: its detectors' verdicts and which metrics count the run. */
export interface ScoredRun {
  verdicts: DetectorVerdict[];
  /**
   * For each metric whose denominator includes this run, whether the run is
   * in the numerator. A metric that does not cover the task is absent.
   */
  metrics: Record<string, boolean>;
}

/**
 * The scored outcome of one agentic run: one line of samples.jsonl. It contains
 * enough to recompute every metric and breakdown of the suite, and to find
 * the run's transcript in the run store by `id`.
 */
export interface AgenticOutcome extends ScoredRun {
  /** Sample id in the run store. */
  id: string;
  task: string;
  /** The task's kind, the breakdown dimension task_kind. */
  kind: string;
  /** Run number of the task, from 1. */
  epoch: number;
  end_reason: EndReason;
  /** Model turns taken. */
  steps: number;
  /** Executions the agent made in the sandbox (shell, read_file, write_file). */
  commands: number;
  duration_ms: number;
  /** Model id the server reported, or null when no reply arrived. */
  model: string | null;
  /** Exit code of each harness command by name (null when a signal or the time limit ended it). */
  harness: Record<string, number | null>;
}

/** Builds a run's outcome line from the suite's scoring of it. */
export function buildOutcome(
  sample: { id: string; epoch: number },
  task: AgenticTask,
  run: AgenticRunOutput,
  scored: ScoredRun,
): AgenticOutcome {
  const harness: Record<string, number | null> = {};
  for (const command of run.harness.commands) {
    harness[command.name] = command.exit_code;
  }
  return {
    id: sample.id,
    task: task.id,
    kind: task.kind,
    epoch: sample.epoch,
    end_reason: run.endReason,
    steps: run.steps,
    commands: run.record.commands.length,
    duration_ms: run.durationMs,
    model: run.model,
    harness,
    verdicts: scored.verdicts,
    metrics: scored.metrics,
  };
}

/** Returns the verdict of a detector, or undefined when it did not score the run. */
export function verdictOf(
  verdicts: readonly DetectorVerdict[],
  detector: string,
): DetectorVerdict | undefined {
  return verdicts.find((verdict) => verdict.detector === detector);
}
