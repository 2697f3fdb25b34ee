import type { CommandModule } from "../command.js";
import { type CommandIO, ExitCode } from "../io.js";
import {
  addElicitationOptions,
  addJudgeOptions,
  addReportIdentityOptions,
  buildScorer,
  parsePositiveInteger,
  parsePositiveNumber,
  printMetricLines,
  type ReportIdentityOptions,
  readTextOption,
  reportIdentity,
  scoreCommandModule,
} from "./score.js";

export interface RunOptions extends ReportIdentityOptions {
  suite: string;
  model: string;
  baseUrl?: string;
  out?: string;
  resume?: string;
  dataset?: string;
  concurrency: number;
  maxAttempts: number;
  timeout: number;
  temperature: number;
  maxTokens: number;
  systemPrompt?: string;
  judge?: string;
  judgeBaseUrl?: string;
  limit?: number;
}

/** Greedy decoding, so a run can be repeated. */
const DEFAULT_TEMPERATURE = 0;
/** Output limit per response, in tokens: long enough for a refusal followed by an answer. */
const DEFAULT_MAX_TOKENS = 1024;

/** First retry waits up to this long, in milliseconds; the wait doubles with each further retry. */
const BASE_DELAY_MS = 1000;
/** Maximum wait between two attempts of one request, in milliseconds, a server's Retry-After included. */
const MAX_DELAY_MS = 60_000;

/** `candor run`: runs a suite against a model and writes report.json and samples.jsonl. */
export async function runCommand(options: RunOptions, io: CommandIO): Promise<number> {
  const { resolve } = await import("node:path");
  const { UsageError } = await import("../../errors.js");
  const { parseSuiteId } = await import("../../suites/registry.js");
  const { createProvider, parseProviderSpec } = await import("../../providers/index.js");
  const { loadBuiltInItems, loadExternalDataset } = await import(
    "../../suites/refusal-calibration/items.js"
  );
  const { runRefusalSuite } = await import("../../suites/refusal-calibration/run-suite.js");
  const { chooseProgressMode, createProgressRenderer } = await import("../progress.js");

  parseSuiteId(options.suite);
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

  const provider = createProvider(options.model, {
    env: io.env,
    cwd: io.cwd,
    timeoutMs: options.timeout * 1000,
    ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
  });
  const itemSet =
    options.dataset === undefined
      ? loadBuiltInItems()
      : loadExternalDataset(resolve(io.cwd, options.dataset));
  const systemPrompt =
    options.systemPrompt === undefined ? "" : await readTextOption(options.systemPrompt, io.cwd);
  const scorer = await buildScorer(options, io);
  const progress = createProgressRenderer({
    mode: chooseProgressMode(io, options.json === true),
    write: io.stderr,
  });

  // Ctrl-C stops the run cleanly: finished samples stay stored for --resume.
  const controller = new AbortController();
  const onInterrupt = () => controller.abort(new Error("interrupted"));
  process.once("SIGINT", onInterrupt);
  let result: Awaited<ReturnType<typeof runRefusalSuite>>;
  try {
    result = await runRefusalSuite({
      provider,
      providerSpec: options.model,
      itemSet,
      ...(options.limit === undefined ? {} : { limit: options.limit }),
      outDir,
      resume: options.resume !== undefined,
      generation: { systemPrompt, temperature: options.temperature, maxTokens: options.maxTokens },
      engine: {
        concurrency: options.concurrency,
        maxAttempts: options.maxAttempts,
        requestTimeoutMs: options.timeout * 1000,
        baseDelayMs: BASE_DELAY_MS,
        maxDelayMs: MAX_DELAY_MS,
      },
      scorer,
      judgeRun: {
        concurrency: options.concurrency,
        maxAttempts: options.maxAttempts,
        requestTimeoutMs: options.timeout * 1000,
        onEvent: progress.onEvent,
      },
      identity: reportIdentity(options, {
        modelName: parseProviderSpec(options.model).target,
        endpoint: provider.endpoint,
      }),
      onEvent: progress.onEvent,
      signal: controller.signal,
    });
  } finally {
    process.removeListener("SIGINT", onInterrupt);
  }

  if (result.written === undefined) {
    io.stderr(
      `candor: the run was interrupted after ${result.done} responses; finish it with: candor run --resume ${outDir} ${resumeHint(options)}\n`,
    );
    return ExitCode.failed;
  }

  const { report, reportPath, samplesPath } = result.written;
  if (options.json === true) {
    io.stdout(
      `${JSON.stringify(
        {
          report: reportPath,
          samples: samplesPath,
          responses: result.done,
          errors: result.errors,
          judge_errors: result.judgeErrors,
          results: report.results.filter((entry) => entry.status === "reported"),
        },
        null,
        2,
      )}\n`,
    );
  } else {
    io.stdout(
      `wrote ${reportPath} and ${samplesPath} (${result.done} responses, ${result.errors} errors)\n`,
    );
    printMetricLines(io, report.results);
  }

  if (result.errors > 0) {
    io.stderr(
      `candor: ${result.errors} samples ended in an error after ${options.maxAttempts} attempts; the report covers the ${result.done} that succeeded. Retry them with: candor run --resume ${outDir} ${resumeHint(options)}\n`,
    );
    return ExitCode.failed;
  }
  return ExitCode.ok;
}

/** The options a resume must repeat, because the run store checks that they match. */
function resumeHint(options: RunOptions): string {
  return [
    `--suite ${options.suite}`,
    `--model ${options.model}`,
    options.baseUrl === undefined ? undefined : `--base-url ${options.baseUrl}`,
    options.dataset === undefined ? undefined : `--dataset ${options.dataset}`,
  ]
    .filter((part) => part !== undefined)
    .join(" ");
}

export const runCommandModule: CommandModule = {
  register(program, context) {
    const command = program
      .command("run")
      .description(
        "Run a suite against a model and write report.json, samples.jsonl and the run store run.sqlite.",
      )
      .requiredOption("--suite <id>", "suite to run (refusal-calibration)")
      .requiredOption(
        "--model <provider:model>",
        "model under test, for example openai:llama-3.1-8b-instruct",
      )
      .option(
        "--base-url <url>",
        "base URL of the model's server (default: OPENAI_BASE_URL or ANTHROPIC_BASE_URL, else the vendor's)",
      )
      .option("--out <dir>", "folder to write the run into (created; must not hold a run already)")
      .option(
        "--resume <dir>",
        "finish an interrupted run in this folder without redoing finished samples",
      )
      .option(
        "--dataset <file>",
        "run an external item set in the XSTest CSV layout (id, prompt, type) instead of the shipped items",
      )
      .option("--limit <n>", "run only the first N items", parsePositiveInteger)
      .option("--concurrency <n>", "requests in flight at once", parsePositiveInteger, 4)
      .option(
        "--max-attempts <n>",
        "attempts per request, the first included",
        parsePositiveInteger,
        5,
      )
      .option(
        "--timeout <seconds>",
        "time limit of one request, in seconds",
        parsePositiveNumber,
        120,
      );
    // Temperature and output limit are always sent, so the report records the settings actually used.
    addElicitationOptions(command, {
      temperature: DEFAULT_TEMPERATURE,
      maxTokens: DEFAULT_MAX_TOKENS,
    });
    addJudgeOptions(command);
    addReportIdentityOptions(command);
    command.action(async (options: RunOptions) => {
      await context.run(() => runCommand(options, context.io));
    });
  },
};

/** The commands that measure a model: `candor run` and `candor score`. */
export const measureCommands: CommandModule[] = [runCommandModule, scoreCommandModule];
