export {
  type AgenticMeasuredMetric,
  aggregateAgenticOutcomes,
} from "./aggregate.js";
export { AGENT_SCAFFOLD, type AgenticElicitationInput, agenticElicitation } from "./elicitation.js";
export { AgenticRunOptionError, AgenticTaskError } from "./errors.js";
export {
  type AgenticExecutorOptions,
  type AgenticSample,
  agenticExecutor,
  agenticSamples,
  attemptTimeLimitMs,
} from "./execute.js";
export {
  type AgenticRunOutput,
  type CapturedFile,
  capturedFile,
  type HarnessCommandOutcome,
  type HarnessRecord,
  harnessCommand,
  runHarness,
} from "./harness.js";
export {
  type LoadAgenticSuiteOptions,
  type LoadedAgenticSuite,
  loadAgenticSuite,
  resolveRevisions,
} from "./load.js";
export {
  type AgenticOutcome,
  buildOutcome,
  type DetectorVerdict,
  type ScoredRun,
  verdictOf,
} from "./outcome.js";
export {
  type AgenticEngineOptions,
  type AgenticReportIdentity,
  applyClusters,
  type RunAgenticSuiteOptions,
  type RunAgenticSuiteResult,
  runAgenticSuite,
  scoreStoredRuns,
  type WriteAgenticReportInput,
  type WrittenAgenticReport,
  writeAgenticReport,
} from "./run-suite.js";
export type { AgenticMetricId, AgenticSuite } from "./suite.js";
export { type AgenticTask, type HarnessCommand, toAgentTask } from "./task.js";
