import { resolveAgentLimits } from "../../agent/loop.js";
import { type AgentLimits, DEFAULT_SYSTEM_PROMPT } from "../../agent/task.js";
import { runSamples } from "../../engine/run.js";
import { openRunStore, type RunStore } from "../../engine/store.js";
import type { RunEvent, RunSummary } from "../../engine/types.js";
import { quote } from "../../errors.js";
import type { GenerationSettings, Provider } from "../../providers/types.js";
import { assembleReport, writeOutcomes, writeReport } from "../../report/assemble.js";
import type { SandboxOptions } from "../../sandbox/sandbox.js";
import type {
  Elicitation,
  Model,
  Publisher,
  Report,
  RunInfo,
} from "../../spec/generated/report.js";
import type { Registry } from "../../spec/registry.js";
import { createOutputFolder } from "../common/output-folder.js";
import { digestItems } from "../registry.js";
import type { SuiteIdentity } from "../types.js";
import { type AgenticMeasuredMetric, aggregateAgenticOutcomes } from "./aggregate.js";
import { agenticElicitation } from "./elicitation.js";
import { AgenticRunOptionError } from "./errors.js";
import {
  type AgenticSample,
  agenticExecutor,
  agenticSamples,
  attemptTimeLimitMs,
} from "./execute.js";
import type { AgenticRunOutput } from "./harness.js";
import { resolveRevisions } from "./load.js";
import { type AgenticOutcome, buildOutcome } from "./outcome.js";
import type { AgenticSuite } from "./suite.js";
import type { AgenticTask } from "./task.js";

/** Publisher, model and claimed tier of a report. */
export interface AgenticReportIdentity {
  publisher: Publisher;
  model: Model;
  claimedTier: number;
}

export interface AgenticEngineOptions {
  /** Runs (sandboxes) in flight at once. */
  concurrency: number;
  /** Attempts per run, the first included; a retried run starts again from a fresh workspace. */
  maxAttempts: number;
  /** Backoff ceiling of the first retry, in milliseconds; it doubles with each further retry. */
  baseDelayMs: number;
  /** Maximum wait between two attempts, in milliseconds. */
  maxDelayMs: number;
}

export interface RunAgenticSuiteOptions<Spec> {
  suite: AgenticSuite<Spec>;
  /** The model under test and its spec as written on the command line. */
  provider: Provider;
  providerSpec: string;
  outDir: string;
  /** Continue the run stored in `outDir` instead of starting one. */
  resume: boolean;
  /** Run only these tasks, in suite order; the report then names the subset's digest and is not the reference suite. */
  taskIds?: readonly string[];
  /** Runs per task; 1 when unset. */
  epochs?: number;
  /** System prompt of every task; DEFAULT_SYSTEM_PROMPT when unset. */
  systemPrompt?: string;
  temperature: number;
  /** Output limit per model turn, in tokens; none is sent when unset. */
  maxTokens?: number;
  reasoning?: string;
  limits?: Partial<AgentLimits>;
  sandbox?: Omit<SandboxOptions, "fixture">;
  engine: AgenticEngineOptions;
  identity: AgenticReportIdentity;
  /** File name of the per-run outcomes beside the report; samples.jsonl when unset. */
  outcomesName?: string;
  onEvent?: (event: RunEvent) => void;
  signal?: AbortSignal;
  registry?: Registry;
}

export interface WrittenAgenticReport {
  report: Report;
  reportPath: string;
  samplesPath: string;
  outcomes: AgenticOutcome[];
  metrics: AgenticMeasuredMetric[];
}

export interface RunAgenticSuiteResult {
  /** Undefined when the run was interrupted before every sample ended. */
  written: WrittenAgenticReport | undefined;
  summary: RunSummary;
  /** Runs that ended in an error after every attempt; excluded from every metric and counted in run.errors. */
  errors: number;
  /** Runs scored. */
  done: number;
}

/**
 * Runs an agentic suite against a model and writes report.json and the
 * per-run outcomes. Every task runs in a fresh sandbox through the agent
 * loop, with the engine's concurrency, retries, crash-safe run store in
 * `outDir` and resume. The task's harness runs after each run, the suite
 * scores each stored run, and the outcomes are aggregated with intervals
 * and per-task breakdowns. Runs that still failed after every attempt are
 * errors, left out of every metric and counted in run.errors. An
 * interrupted run writes no report, and resuming it finishes the missing
 * runs.
 */
export async function runAgenticSuite<Spec>(
  options: RunAgenticSuiteOptions<Spec>,
): Promise<RunAgenticSuiteResult> {
  const epochs = options.epochs ?? 1;
  if (!Number.isSafeInteger(epochs) || epochs < 1) {
    throw new AgenticRunOptionError(
      `epochs must be a positive integer, received ${quote(epochs)}`,
      "Pass 1 or more runs per task.",
    );
  }
  const tasks = selectTasks(options.suite, options.taskIds);
  const identity = subsetIdentity(options.suite, tasks);
  const limits = resolveAgentLimits(options.limits);
  const systemPrompt = options.systemPrompt ?? DEFAULT_SYSTEM_PROMPT;
  const elicitation = agenticElicitation({
    systemPrompt,
    temperature: options.temperature,
    ...(options.maxTokens === undefined ? {} : { maxTokens: options.maxTokens }),
    ...(options.reasoning === undefined ? {} : { reasoning: options.reasoning }),
    limits,
    tasks,
  });

  const runInfo = {
    provider: options.providerSpec,
    endpoint: options.provider.endpoint,
    suite: { id: identity.id, version: identity.version, digest: identity.digest },
    elicitation: { ...elicitation, epochs },
  };
  const store = openRunStore(
    options.outDir,
    options.resume ? { mode: "resume", run: runInfo } : { mode: "create", run: runInfo },
  );

  try {
    const resolved = await Promise.all(tasks.map((task) => resolveRevisions(task)));
    const samples = agenticSamples(identity.id, resolved, epochs);
    const settings: GenerationSettings = { temperature: options.temperature };
    if (options.maxTokens !== undefined) {
      settings.maxTokens = options.maxTokens;
    }
    if (options.reasoning !== undefined) {
      settings.reasoning = options.reasoning;
    }

    const summary = await runSamples<AgenticSample, AgenticRunOutput>({
      samples,
      total: samples.length,
      store,
      execute: agenticExecutor({
        provider: options.provider,
        systemPrompt,
        settings,
        limits,
        ...(options.sandbox === undefined ? {} : { sandbox: options.sandbox }),
      }),
      concurrency: options.engine.concurrency,
      maxAttempts: options.engine.maxAttempts,
      baseDelayMs: options.engine.baseDelayMs,
      maxDelayMs: options.engine.maxDelayMs,
      requestTimeoutMs: attemptTimeLimitMs(resolved, limits, options.sandbox),
      ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });

    const { outcomes, errors } = await scoreStoredRuns(options.suite, store, samples);
    if (summary.aborted) {
      return { written: undefined, summary, errors, done: outcomes.length };
    }

    const retries = store.sessions().reduce((sum, session) => sum + session.counts.retries, 0);
    const notes: string[] = [];
    if (tasks.length < options.suite.tasks.length) {
      notes.push(
        `Run limited to ${tasks.length} of the ${options.suite.tasks.length} tasks of ${options.suite.identity.id}.`,
      );
    }
    if (errors > 0) {
      notes.push(
        `${errors} runs ended in an error after every attempt and are excluded from every metric.`,
      );
    }
    const written = writeAgenticReport({
      outDir: options.outDir,
      suite: options.suite,
      suiteIdentity: identity,
      outcomes,
      elicitation,
      identity: options.identity,
      run: {
        started: store.run.started,
        finished: summary.finished,
        concurrency: options.engine.concurrency,
        max_attempts: options.engine.maxAttempts,
        retries,
        errors,
      },
      notes,
      ...(options.outcomesName === undefined ? {} : { outcomesName: options.outcomesName }),
      ...(options.registry === undefined ? {} : { registry: options.registry }),
    });
    return { written, summary, errors, done: outcomes.length };
  } finally {
    store.close();
  }
}

/**
 * Scores the runs stored for `samples`, in sample order, and counts the
 * samples stored as errors. Runs are rescored from the store every time, so
 * a changed detector applies to a finished run without running it again.
 */
export async function scoreStoredRuns<Spec>(
  suite: AgenticSuite<Spec>,
  store: RunStore,
  samples: readonly AgenticSample[],
): Promise<{ outcomes: AgenticOutcome[]; errors: number }> {
  store.flush();
  const outputs = new Map<string, AgenticRunOutput>();
  const failed = new Set<string>();
  for (const sample of store.samples()) {
    if (sample.status === "done") {
      outputs.set(sample.id, sample.output as AgenticRunOutput);
    } else {
      failed.add(sample.id);
    }
  }
  const outcomes: AgenticOutcome[] = [];
  let errors = 0;
  for (const sample of samples) {
    const run = outputs.get(sample.id);
    if (run === undefined) {
      errors += failed.has(sample.id) ? 1 : 0;
      continue;
    }
    const task = sample.task as AgenticTask<Spec>;
    const scored = await suite.score(task, run);
    outcomes.push(buildOutcome(sample, task, run, scored));
  }
  return { outcomes, errors };
}

export interface WriteAgenticReportInput<Spec> {
  outDir: string;
  suite: AgenticSuite<Spec>;
  /** Identity of the tasks actually run; the suite's own when unset. */
  suiteIdentity?: SuiteIdentity;
  outcomes: readonly AgenticOutcome[];
  elicitation: Elicitation;
  identity: AgenticReportIdentity;
  run?: RunInfo;
  notes?: string[];
  outcomesName?: string;
  registry?: Registry;
}

/**
 * Writes the outcomes file and report.json for one agentic suite. Each
 * result's clusters and epochs come from the aggregation (runs of one task
 * are one cluster), because the generic report assembly assumes one run per
 * item.
 */
export function writeAgenticReport<Spec>(
  input: WriteAgenticReportInput<Spec>,
): WrittenAgenticReport {
  createOutputFolder(input.outDir);
  const outcomesFile = writeOutcomes(input.outDir, input.outcomes, input.outcomesName);
  const metrics = aggregateAgenticOutcomes(input.outcomes, input.suite.metrics);
  const report = assembleReport({
    publisher: input.identity.publisher,
    model: input.identity.model,
    claimedTier: input.identity.claimedTier,
    suite: input.suiteIdentity ?? input.suite.identity,
    metrics,
    elicitation: input.elicitation,
    scorer: input.suite.scorer,
    outcomes: outcomesFile,
    ...(input.run === undefined ? {} : { run: input.run }),
    ...(input.notes === undefined || input.notes.length === 0
      ? {}
      : { notes: input.notes.join(" ") }),
    ...(input.registry === undefined ? {} : { registry: input.registry }),
  });
  applyClusters(report, metrics);
  const reportPath = writeReport(input.outDir, report);
  return {
    report,
    reportPath,
    samplesPath: outcomesFile.path,
    outcomes: [...input.outcomes],
    metrics,
  };
}

/** Sets clusters and epochs of the report's reported results from the agentic aggregation. */
export function applyClusters(report: Report, metrics: readonly AgenticMeasuredMetric[]): void {
  for (const result of report.results) {
    const measured = metrics.find(
      (metric) =>
        metric.metric === result.metric && metric.metric_version === result.metric_version,
    );
    if (measured !== undefined && result.status === "reported") {
      result.clusters = measured.clusters;
      result.epochs = measured.epochs;
    }
  }
}

function selectTasks<Spec>(
  suite: AgenticSuite<Spec>,
  taskIds: readonly string[] | undefined,
): AgenticTask<Spec>[] {
  if (taskIds === undefined) {
    return [...suite.tasks];
  }
  const known = new Set(suite.tasks.map((task) => task.id));
  const unknown = taskIds.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new AgenticRunOptionError(
      `suite ${quote(suite.identity.id)} has no task(s) ${unknown.map((id) => quote(id)).join(", ")}`,
      `Known tasks: ${[...known].join(", ")}.`,
    );
  }
  return suite.tasks.filter((task) => taskIds.includes(task.id));
}

/** Returns the identity of the tasks run: the suite's own when all ran, else the subset's digest, marked as not the reference suite. */
function subsetIdentity<Spec>(
  suite: AgenticSuite<Spec>,
  tasks: readonly AgenticTask<Spec>[],
): SuiteIdentity {
  if (tasks.length === suite.tasks.length) {
    return suite.identity;
  }
  return { ...suite.identity, digest: digestItems(tasks), reference: false };
}
