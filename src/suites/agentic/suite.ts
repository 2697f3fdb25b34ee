import type { Scorer } from "../../spec/generated/report.js";
import type { SuiteIdentity } from "../types.js";
import type { AgenticRunOutput } from "./harness.js";
import type { ScoredRun } from "./outcome.js";
import type { AgenticTask } from "./task.js";

/** A registry metric an agentic suite produces. */
export interface AgenticMetricId {
  metric: string;
  version: number;
}

/**
 * One agentic suite: its tasks, the metrics it produces and the scoring of
 * one run. The generic runner (`runAgenticSuite`) does everything else:
 * sandboxes, the agent loop, the harness, the run store, aggregation and the
 * report.
 */
export interface AgenticSuite<Spec = unknown> {
  readonly identity: SuiteIdentity;
  readonly tasks: readonly AgenticTask<Spec>[];
  /** Metrics in report order; each appears once even when no run covers it. */
  readonly metrics: readonly AgenticMetricId[];
  /** protocol.scorer of every result; kind is "detector" for suites scored from the record and the diff. */
  readonly scorer: Scorer;
  /** Scores one finished run of one of the suite's tasks. */
  score(task: AgenticTask<Spec>, run: AgenticRunOutput): ScoredRun | Promise<ScoredRun>;
}
