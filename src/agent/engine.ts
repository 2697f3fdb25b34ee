import type { AttemptContext } from "../engine/types.js";
import { type RunAgentOptions, runAgent } from "./loop.js";
import type { AgentTask } from "./task.js";
import type { AgentRun } from "./transcript.js";

/** One agentic sample: a task, run once. Several epochs of one task need distinct ids. */
export interface AgentSample {
  id: string;
  task: AgentTask;
}

/**
 * Adapts the agent loop to the run engine's `execute` callback, so agentic
 * runs get the engine's concurrency, retries, run store and resume. The
 * attempt's signal cancels the run. Set the engine's attempt time limit
 * above the agent's own time limit, because otherwise the engine aborts
 * runs that would have ended with `time_limit`.
 */
export function agentExecutor(
  options: Omit<RunAgentOptions, "task" | "signal">,
): (sample: AgentSample, context: AttemptContext) => Promise<AgentRun> {
  return (sample, context) => runAgent({ ...options, task: sample.task, signal: context.signal });
}
