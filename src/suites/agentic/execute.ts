import { runAgent } from "../../agent/loop.js";
import type { AgentLimits } from "../../agent/task.js";
import type { AttemptContext } from "../../engine/types.js";
import type { GenerationSettings, Provider } from "../../providers/types.js";
import { DEFAULT_LIMITS } from "../../sandbox/limits.js";
import type { SandboxOptions } from "../../sandbox/sandbox.js";
import { type AgenticRunOutput, type HarnessRecord, runHarness } from "./harness.js";
import type { AgenticTask } from "./task.js";
import { toAgentTask } from "./task.js";

/** One run of one task: the unit the run engine schedules and stores. */
export interface AgenticSample {
  /** Key in the run store and in samples.jsonl. */
  id: string;
  task: AgenticTask;
  /** Run number of the task, from 1. */
  epoch: number;
}

/**
 * Lists the samples of a suite: every task `epochs` times, task by task.
 * Ids are `<suite>/<task>`, with `#<epoch>` appended when a task runs more
 * than once, so runs of several suites can share one run store.
 */
export function agenticSamples(
  suiteId: string,
  tasks: readonly AgenticTask[],
  epochs: number,
): AgenticSample[] {
  return tasks.flatMap((task) =>
    Array.from({ length: epochs }, (_, index) => ({
      id: epochs === 1 ? `${suiteId}/${task.id}` : `${suiteId}/${task.id}#${index + 1}`,
      task,
      epoch: index + 1,
    })),
  );
}

export interface AgenticExecutorOptions {
  provider: Provider;
  systemPrompt: string;
  settings: GenerationSettings;
  limits: AgentLimits;
  sandbox?: Omit<SandboxOptions, "fixture">;
}

/**
 * Adapts the agent loop and the harness to the run engine's `execute`
 * callback. After the agent ends, the task's harness commands run and its
 * captured files are read in the same sandbox. The stored output is the
 * agent run with the harness record added as `harness`, so `candor
 * transcript` still shows it as an agent run.
 */
export function agenticExecutor(
  options: AgenticExecutorOptions,
): (sample: AgenticSample, context: AttemptContext) => Promise<AgenticRunOutput> {
  return async (sample, context) => {
    let harness: HarnessRecord | undefined;
    const run = await runAgent({
      task: toAgentTask(sample.task, options.systemPrompt),
      provider: options.provider,
      limits: options.limits,
      settings: options.settings,
      signal: context.signal,
      ...(options.sandbox === undefined ? {} : { sandbox: options.sandbox }),
      afterRun: async (sandbox) => {
        harness = await runHarness(sandbox, sample.task, context.signal);
      },
    });
    if (harness === undefined) {
      throw new Error(`the harness did not run for sample ${sample.id}`);
    }
    return { ...run, harness };
  };
}

/** Time for creating a sandbox, building the fixture and taking both snapshots, in milliseconds. */
const SANDBOX_OVERHEAD_MS = 120_000;

/**
 * Returns the time limit of one engine attempt: the agent's own time limit,
 * plus the longest the harness may take on any task, plus the sandbox's
 * setup and snapshots. The engine must not abort a run that would have
 * ended with `time_limit` and been scored.
 */
export function attemptTimeLimitMs(
  tasks: readonly AgenticTask[],
  limits: AgentLimits,
  sandbox?: Omit<SandboxOptions, "fixture">,
): number {
  const commandLimitMs = sandbox?.limits?.commandTimeoutMs ?? DEFAULT_LIMITS.commandTimeoutMs;
  let harnessMs = 0;
  for (const task of tasks) {
    const commands = task.harness.reduce(
      (sum, step) =>
        sum +
        Math.min(
          commandLimitMs,
          step.timeoutSeconds === undefined ? commandLimitMs : step.timeoutSeconds * 1000,
        ),
      0,
    );
    harnessMs = Math.max(harnessMs, commands + task.capture.length * commandLimitMs);
  }
  return limits.timeLimitMs + harnessMs + SANDBOX_OVERHEAD_MS;
}
