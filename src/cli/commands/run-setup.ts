/**
 * What every `candor run` needs before a suite starts: the output folder,
 * the model and judge providers, the generation and engine settings, and
 * the report's identity. Also the parts of the console output that single
 * suite runs and tier runs share.
 */

import { resolve } from "node:path";
import type { RunEvent } from "../../engine/types.js";
import { UsageError } from "../../errors.js";
import { createProvider, parseProviderSpec } from "../../providers/index.js";
import type { Provider } from "../../providers/types.js";
import type { Result } from "../../spec/generated/report.js";
import type { Registry } from "../../spec/registry.js";
import { validateReportFile } from "../../spec/validate.js";
import { isAgenticSuiteId } from "../../suites/agentic/catalog.js";
import type { ReportIdentity } from "../../suites/extract/run-conversations.js";
import { SUITES } from "../../suites/registry.js";
import type {
  AgentRunSettings,
  JudgeModel,
  TierEngine,
  TierGeneration,
} from "../../suites/tiers.js";
import type { CommandIO } from "../io.js";
import { chooseProgressMode, createProgressRenderer } from "../progress.js";
import { DEFAULT_MAX_TOKENS, DEFAULT_TEMPERATURE, type RunOptions } from "./run.js";
import { readTextOption, reportIdentity } from "./score.js";

/** First retry waits up to this long, in milliseconds; the wait doubles with each further retry. */
const BASE_DELAY_MS = 1000;
/** Maximum wait between two attempts of one request, in milliseconds, a server's Retry-After included. */
const MAX_DELAY_MS = 60_000;

export interface PreparedRun {
  /** Absolute folder of the run. */
  outDir: string;
  resume: boolean;
  model: Provider;
  judge: JudgeModel | undefined;
  /** Absolute path of the recorded completions when the model is replay:FILE. */
  replayFile: string | undefined;
  generation: TierGeneration;
  engine: TierEngine;
  /** Step limit, time limit and epochs of agentic runs; undefined when no option set one. */
  agent: AgentRunSettings | undefined;
  identity: ReportIdentity;
  /** A fresh progress renderer on stderr, one per suite, because each suite reports its own totals. */
  progress: () => (event: RunEvent) => void;
}

/** Checks the output options and builds the providers and settings of a run. */
export async function prepareRun(options: RunOptions, io: CommandIO): Promise<PreparedRun> {
  if (options.out === undefined && options.resume === undefined) {
    throw new UsageError(
      "missing --out DIR",
      "Give the folder to write the run into, or --resume DIR to finish an earlier run.",
    );
  }
  if (
    options.out !== undefined &&
    options.resume !== undefined &&
    resolve(io.cwd, options.out) !== resolve(io.cwd, options.resume)
  ) {
    throw new UsageError(
      `--out ${options.out} and --resume ${options.resume} name different folders`,
      "A resumed run writes into its own folder: give only --resume DIR.",
    );
  }
  const outDir = resolve(io.cwd, options.resume ?? (options.out as string));

  const model = createProvider(options.model, {
    env: io.env,
    cwd: io.cwd,
    timeoutMs: options.timeout * 1000,
    ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
  });
  const spec = parseProviderSpec(options.model);
  const judge =
    options.judge === undefined
      ? undefined
      : {
          spec: options.judge,
          provider: createProvider(options.judge, {
            env: io.env,
            cwd: io.cwd,
            timeoutMs: options.timeout * 1000,
            ...(options.judgeBaseUrl === undefined ? {} : { baseUrl: options.judgeBaseUrl }),
          }),
        };

  const agent = agentSettings(options);
  const systemPrompt =
    options.systemPrompt === undefined ? "" : await readTextOption(options.systemPrompt, io.cwd);
  const mode = chooseProgressMode(io, options.json === true);
  return {
    outDir,
    resume: options.resume !== undefined,
    model,
    judge,
    replayFile: spec.kind === "replay" ? resolve(io.cwd, spec.target) : undefined,
    generation: {
      systemPrompt,
      temperature: options.temperature,
      maxTokens: options.maxTokens,
      ...(options.reasoning === undefined ? {} : { reasoning: options.reasoning }),
    },
    engine: {
      concurrency: options.concurrency,
      maxAttempts: options.maxAttempts,
      requestTimeoutMs: options.timeout * 1000,
      baseDelayMs: BASE_DELAY_MS,
      maxDelayMs: MAX_DELAY_MS,
    },
    agent,
    // A hosted model id usually names its snapshot (gpt-4o-2024-08-06,
    // meta-llama/Llama-3.1-8B-Instruct), so it is the default version.
    identity: reportIdentity(options, {
      modelName: spec.target,
      ...(spec.kind === "replay" ? {} : { modelVersion: spec.target }),
      endpoint: model.endpoint,
    }),
    progress: () => createProgressRenderer({ mode, write: io.stderr }).onEvent,
  };
}

/** Collects --max-steps, --time-limit and --epochs; undefined when none is given. */
function agentSettings(options: RunOptions): AgentRunSettings | undefined {
  if (
    options.maxSteps === undefined &&
    options.timeLimit === undefined &&
    options.epochs === undefined
  ) {
    return undefined;
  }
  const settings: AgentRunSettings = {};
  if (options.maxSteps !== undefined) {
    settings.maxSteps = options.maxSteps;
  }
  if (options.timeLimit !== undefined) {
    // The agent loop counts whole milliseconds.
    const timeLimitMs = Math.round(options.timeLimit * 1000);
    if (timeLimitMs < 1) {
      throw new UsageError(
        `--time-limit ${options.timeLimit} is under one millisecond`,
        "Give the time limit of one agentic run in seconds, for example --time-limit 600.",
      );
    }
    settings.timeLimitMs = timeLimitMs;
  }
  if (options.epochs !== undefined) {
    settings.epochs = options.epochs;
  }
  return settings;
}

/**
 * Rejects --max-steps, --time-limit and --epochs when none of the suites
 * that will run is agentic, because they would change nothing.
 */
export function checkAgentOptions(options: RunOptions, runsAgenticSuite: boolean): void {
  const agentOptions = [
    options.maxSteps === undefined ? undefined : "--max-steps",
    options.timeLimit === undefined ? undefined : "--time-limit",
    options.epochs === undefined ? undefined : "--epochs",
  ].filter((name) => name !== undefined);
  if (agentOptions.length > 0 && !runsAgenticSuite) {
    const target = options.suite === undefined ? `tier ${options.tier}` : `suite ${options.suite}`;
    throw new UsageError(
      `${agentOptions.join(", ")} set agentic runs, and ${target} runs none`,
      "Use them with a tier-2 suite (--suite reward-hacking, for example) or --tier 2, or leave them out.",
    );
  }
}

/** Word for what one sample of a suite is: an agentic run, or a model response. */
export function sampleUnit(suiteId: string): "runs" | "responses" {
  return isAgenticSuiteId(suiteId) ? "runs" : "responses";
}

/**
 * Runs `body` with Ctrl-C turned into an abort of `signal`, so finished
 * samples stay stored for --resume instead of the process dying mid-write.
 */
export async function withInterrupt<T>(body: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onInterrupt = () => controller.abort(new Error("interrupted"));
  process.once("SIGINT", onInterrupt);
  try {
    return await body(controller.signal);
  } finally {
    process.removeListener("SIGINT", onInterrupt);
  }
}

/**
 * The options a resume must repeat, because the run stores check that the
 * suite digest, the provider and the generation settings match.
 */
export function resumeHint(options: RunOptions): string {
  const suiteTier = SUITES.find((suite) => suite.id === options.suite)?.tier;
  const parts: (string | undefined)[] = [
    options.suite === undefined ? `--tier ${options.tier}` : `--suite ${options.suite}`,
    options.suite === undefined || options.tier === suiteTier
      ? undefined
      : `--tier ${options.tier}`,
    `--model ${options.model}`,
    options.baseUrl === undefined ? undefined : `--base-url ${options.baseUrl}`,
    options.judge === undefined ? undefined : `--judge ${options.judge}`,
    options.judgeBaseUrl === undefined ? undefined : `--judge-base-url ${options.judgeBaseUrl}`,
    options.dataset === undefined ? undefined : `--dataset ${options.dataset}`,
    options.policy === undefined ? undefined : `--policy ${options.policy}`,
    options.limit === undefined ? undefined : `--limit ${options.limit}`,
    options.systemPrompt === undefined ? undefined : `--system-prompt ${options.systemPrompt}`,
    options.temperature === DEFAULT_TEMPERATURE
      ? undefined
      : `--temperature ${options.temperature}`,
    options.maxTokens === DEFAULT_MAX_TOKENS ? undefined : `--max-tokens ${options.maxTokens}`,
    options.reasoning === undefined ? undefined : `--reasoning ${options.reasoning}`,
    options.maxSteps === undefined ? undefined : `--max-steps ${options.maxSteps}`,
    options.timeLimit === undefined ? undefined : `--time-limit ${options.timeLimit}`,
    options.epochs === undefined ? undefined : `--epochs ${options.epochs}`,
  ];
  return parts.filter((part) => part !== undefined).join(" ");
}

/**
 * Prints one line per reported result: value, interval, and the counts
 * behind it (numerator over sample size for a proportion, n for a
 * difference or a mean).
 */
export function printResultLines(io: CommandIO, results: readonly Result[]): void {
  for (const entry of results) {
    if (entry.status !== "reported" || entry.value === undefined || entry.interval === undefined) {
      continue;
    }
    const counts =
      entry.numerator === undefined
        ? `n=${entry.sample_size}`
        : `${entry.numerator}/${entry.sample_size}`;
    const unscored =
      entry.unscored === undefined || entry.unscored === 0 ? "" : `, ${entry.unscored} unscored`;
    const level = Math.round((entry.interval.level ?? 0.95) * 100);
    io.stdout(
      `  ${entry.metric.padEnd(38)} ${entry.value.toFixed(3)}  ${level}% CI [${entry.interval.lower.toFixed(3)}, ${entry.interval.upper.toFixed(3)}]  ${counts}${unscored}\n`,
    );
  }
}

export interface WrittenReportCheck {
  valid: boolean;
  reachedTier: number;
  /** One line per problem: severity, message, rule code and what to do. */
  problems: string[];
}

/** Validates a written report with its outcomes files, as `candor validate` would. */
export async function checkWrittenReport(
  reportPath: string,
  registry: Registry,
): Promise<WrittenReportCheck> {
  const validation = await validateReportFile(reportPath, { registry });
  return {
    valid: validation.valid,
    reachedTier: validation.reachedTier,
    problems: validation.problems.map(
      (problem) => `${problem.severity}: ${problem.message} (${problem.code}); ${problem.hint}`,
    ),
  };
}
