import { type Command, InvalidArgumentError, Option } from "commander";
import type { CommandModule } from "../command.js";
import { type CommandIO, ExitCode } from "../io.js";

/** Options shared by `candor score` and `candor run` that describe the report's publisher and model. */
export interface ReportIdentityOptions {
  modelName?: string;
  modelVersion?: string;
  developer?: string;
  endpoint?: string;
  weightsDigest?: string;
  access?: "open_weights" | "api" | "internal";
  publisher?: string;
  relationship: "first_party" | "third_party";
  tier: number;
  json?: boolean;
}

export interface ScoreOptions extends ReportIdentityOptions {
  suite: string;
  responses: string;
  out: string;
  dataset?: string;
  judge?: string;
  judgeBaseUrl?: string;
  concurrency: number;
  maxAttempts: number;
  timeout?: number;
  systemPrompt?: string;
  temperature?: number;
  maxTokens?: number;
}

/** Rejects an empty folder path, which would write into the current folder. */
export function parseFolderPath(value: string): string {
  if (value.trim() === "") {
    throw new InvalidArgumentError("expected a folder path, got an empty string");
  }
  return value;
}

export function parsePositiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    throw new InvalidArgumentError(`expected a whole number of at least 1, got "${value}"`);
  }
  return number;
}

export function parsePositiveNumber(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) {
    throw new InvalidArgumentError(`expected a number greater than 0, got "${value}"`);
  }
  return number;
}

export function parseTemperature(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0) {
    throw new InvalidArgumentError(`expected a temperature of 0 or more, got "${value}"`);
  }
  return number;
}

function parseTier(value: string): number {
  if (!["1", "2", "3"].includes(value)) {
    throw new InvalidArgumentError(`expected 1, 2 or 3, got "${value}"`);
  }
  return Number(value);
}

/** Declares the publisher and model identity options on a command. */
export function addReportIdentityOptions(command: Command): Command {
  return command
    .option(
      "--model-name <name>",
      "model name as its developer writes it (default: the model of --model, or the responses file name)",
    )
    .option(
      "--model-version <version>",
      "model version, snapshot date or checkpoint (default for run: the model id of --model)",
    )
    .option("--developer <name>", 'organisation that trained the model (default: "unknown")')
    .option(
      "--endpoint <text>",
      "API endpoint and model identifier that answered, when there is no weights digest",
    )
    .option(
      "--weights-digest <sha256:hex>",
      "digest of the evaluated weights, for open-weights models",
    )
    .addOption(
      new Option("--access <kind>", "how the model was reached")
        .choices(["open_weights", "api", "internal"])
        .default("api"),
    )
    .option("--publisher <name>", 'who publishes the report (default: "unknown")')
    .addOption(
      new Option("--relationship <kind>", "publisher's relationship to the model")
        .choices(["first_party", "third_party"])
        .default("third_party"),
    )
    .option(
      "--tier <n>",
      "coverage tier the report claims; unmeasured stable metrics of it are listed as not_evaluated",
      parseTier,
      1,
    )
    .option("--json", "print a JSON summary on stdout instead of text");
}

/** Declares the options that describe or set generation settings. */
export function addElicitationOptions(
  command: Command,
  mode: "recorded" | { temperature: number; maxTokens: number },
): Command {
  if (mode === "recorded") {
    return command
      .option(
        "--system-prompt <text>",
        "system prompt the responses were generated with; @FILE reads it from a file",
      )
      .option(
        "--temperature <t>",
        "sampling temperature the responses were generated with",
        parseTemperature,
      )
      .option(
        "--max-tokens <n>",
        "output limit per response the responses were generated with, in tokens",
        parsePositiveInteger,
      );
  }
  return command
    .option(
      "--system-prompt <text>",
      "system prompt to send; @FILE reads it from a file (default: none)",
    )
    .option("--temperature <t>", "sampling temperature to send", parseTemperature, mode.temperature)
    .option(
      "--max-tokens <n>",
      "output limit per response to send, in tokens",
      parsePositiveInteger,
      mode.maxTokens,
    );
}

/** Declares the options of judge requests and of the judge itself. */
export function addJudgeOptions(command: Command): Command {
  return command
    .option(
      "--judge <provider:model>",
      "score with a model judge instead of the rule classifier, for example openai:gpt-4o-mini",
    )
    .option(
      "--judge-base-url <url>",
      "base URL of the judge's OpenAI-compatible server (default: OPENAI_BASE_URL or the vendor's)",
    );
}

/** Reads an option value that may be @FILE. */
export async function readTextOption(value: string, cwd: string): Promise<string> {
  if (!value.startsWith("@")) {
    return value;
  }
  const { resolve } = await import("node:path");
  const { readFileSync } = await import("node:fs");
  const { InputOutputError, quote } = await import("../../errors.js");
  const path = resolve(cwd, value.slice(1));
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new InputOutputError("option_file_unreadable", path, `cannot read ${quote(path)}`, {
      hint: "Check the path after @; it is read relative to the current folder.",
      cause: error,
    });
  }
}

/** Builds the publisher and model of the report from the options. */
export function reportIdentity(
  options: ReportIdentityOptions,
  defaults: { modelName: string; modelVersion?: string; endpoint?: string },
) {
  const version = options.modelVersion ?? defaults.modelVersion;
  return {
    publisher: { name: options.publisher ?? "unknown", relationship: options.relationship },
    model: {
      name: options.modelName ?? defaults.modelName,
      developer: options.developer ?? "unknown",
      access: options.access ?? "api",
      ...(version === undefined ? {} : { version }),
      ...(options.weightsDigest === undefined ? {} : { weights_digest: options.weightsDigest }),
      ...((options.endpoint ?? defaults.endpoint) === undefined
        ? {}
        : { endpoint: options.endpoint ?? defaults.endpoint }),
    },
    claimedTier: options.tier,
  };
}

/**
 * Validates a written report against the schema and the registry and
 * returns one line per problem, so a command can say what a report lacks
 * (for example generation settings nobody passed).
 */
export async function reportProblems(
  report: unknown,
): Promise<{ valid: boolean; problems: string[] }> {
  const { validateReport } = await import("../../spec/validate.js");
  const { loadRegistry } = await import("../../spec/registry.js");
  const result = validateReport(report, { registry: loadRegistry() });
  return {
    valid: result.valid,
    problems: result.problems.map(
      (problem) => `${problem.severity}: ${problem.message} (${problem.code})`,
    ),
  };
}

/** `candor score`: scores recorded responses and writes report.json and samples.jsonl. */
export async function scoreCommand(options: ScoreOptions, io: CommandIO): Promise<number> {
  const { basename, extname, resolve } = await import("node:path");
  const { parseSuiteId } = await import("../../suites/registry.js");
  const { scoreResponsesFile } = await import("../../suites/refusal-calibration/score-file.js");
  const { sha256Digest } = await import("../../suites/registry.js");

  // Only refusal calibration can score recorded responses so far.
  parseSuiteId(options.suite, ["refusal-calibration"]);
  const responsesPath = resolve(io.cwd, options.responses);
  const outDir = resolve(io.cwd, options.out);

  const elicitation: Record<string, unknown> = {};
  if (options.systemPrompt !== undefined) {
    elicitation.system_prompt_digest = sha256Digest(
      await readTextOption(options.systemPrompt, io.cwd),
    );
  }
  if (options.temperature !== undefined) {
    elicitation.temperature = options.temperature;
  }
  if (options.maxTokens !== undefined) {
    elicitation.max_tokens = options.maxTokens;
  }
  // Settings not passed are declared unrecorded: recorded completions often
  // come without them, and the report must say so rather than guess.
  const unrecorded = [
    options.systemPrompt === undefined ? "system_prompt_digest" : undefined,
    options.temperature === undefined ? "temperature" : undefined,
    options.maxTokens === undefined ? "max_tokens" : undefined,
  ].filter((name): name is string => name !== undefined);
  if (unrecorded.length > 0) {
    elicitation.unrecorded = unrecorded;
  }

  const scorer = await buildScorer(options, io);
  const result = await scoreResponsesFile({
    responsesPath,
    outDir,
    ...(options.dataset === undefined ? {} : { datasetPath: resolve(io.cwd, options.dataset) }),
    scorer,
    judgeRun: {
      concurrency: options.concurrency,
      maxAttempts: options.maxAttempts,
      ...(options.timeout === undefined ? {} : { requestTimeoutMs: options.timeout * 1000 }),
    },
    identity: reportIdentity(options, {
      modelName: basename(responsesPath, extname(responsesPath)),
    }),
    elicitation,
  });

  const { valid, problems } = await reportProblems(result.report);
  const warnings: string[] = [];
  const missingIdentity = [
    options.modelName === undefined ? "--model-name" : undefined,
    options.modelVersion === undefined ? "--model-version" : undefined,
    options.developer === undefined ? "--developer" : undefined,
    options.endpoint === undefined && options.weightsDigest === undefined
      ? "--endpoint or --weights-digest"
      : undefined,
  ].filter((name): name is string => name !== undefined);
  if (missingIdentity.length > 0) {
    warnings.push(
      `the model identity is incomplete: pass ${missingIdentity.join(", ")} to name the model the responses came from`,
    );
  }
  const missingSettings = [
    options.systemPrompt === undefined ? "--system-prompt" : undefined,
    options.temperature === undefined ? "--temperature" : undefined,
    options.maxTokens === undefined ? "--max-tokens" : undefined,
  ].filter((name): name is string => name !== undefined);
  if (missingSettings.length > 0) {
    warnings.push(
      `the generation settings of the responses are unknown, so the report declares them unrecorded and its results are never directly comparable: pass ${missingSettings.join(", ")} with the values the responses were generated with`,
    );
  }

  if (options.json === true) {
    io.stdout(`${JSON.stringify(scoreSummary(result, valid, problems, warnings), null, 2)}\n`);
  } else {
    printScoreSummary(io, result, problems, warnings);
  }
  // The scores stay written either way, but a report that does not validate
  // is not publishable, so scoring says so with exit 1, as candor run does.
  if (!valid) {
    io.stderr(
      "candor: the report does not validate; pass the options named above (such as --model-version or --endpoint) and score again\n",
    );
    return ExitCode.failed;
  }
  return ExitCode.ok;
}

async function buildScorer(
  options: Pick<ScoreOptions, "judge" | "judgeBaseUrl" | "timeout">,
  io: CommandIO,
): Promise<import("../../suites/refusal-calibration/suite.js").RefusalScorer> {
  if (options.judge === undefined) {
    return { kind: "rule" };
  }
  const { createProvider } = await import("../../providers/index.js");
  const { loadJudgePrompt } = await import("../../suites/refusal-calibration/judge.js");
  const judge = createProvider(options.judge, {
    env: io.env,
    cwd: io.cwd,
    ...(options.judgeBaseUrl === undefined ? {} : { baseUrl: options.judgeBaseUrl }),
    ...(options.timeout === undefined ? {} : { timeoutMs: options.timeout * 1000 }),
  });
  return { kind: "model_judge", judge, judgeModel: options.judge, prompt: loadJudgePrompt() };
}

export { buildScorer };

type ScoreResult = Awaited<
  ReturnType<typeof import("../../suites/refusal-calibration/score-file.js").scoreResponsesFile>
>;

function scoreSummary(result: ScoreResult, valid: boolean, problems: string[], warnings: string[]) {
  return {
    report: result.reportPath,
    valid,
    samples: result.samplesPath,
    responses: result.responses,
    missing_items: result.missing,
    judge_errors: result.judgeErrors,
    results: result.report.results
      .filter((entry) => entry.status === "reported")
      .map((entry) => ({
        metric: entry.metric,
        value: entry.value,
        sample_size: entry.sample_size,
        numerator: entry.numerator,
        unscored: entry.unscored,
        interval: entry.interval,
      })),
    agreement: result.agreement,
    warnings,
    problems,
  };
}

/** Prints the measured metrics, the agreement with human labels and any warnings. */
export function printMetricLines(io: CommandIO, results: ScoreResult["report"]["results"]): void {
  for (const entry of results) {
    if (entry.status !== "reported" || entry.value === undefined || entry.interval === undefined) {
      continue;
    }
    const unscored =
      entry.unscored === undefined || entry.unscored === 0 ? "" : `, ${entry.unscored} unscored`;
    io.stdout(
      `  ${entry.metric.padEnd(34)} ${entry.value.toFixed(3)}  95% CI [${entry.interval.lower.toFixed(3)}, ${entry.interval.upper.toFixed(3)}]  ${entry.numerator}/${entry.sample_size}${unscored}\n`,
    );
  }
}

function printScoreSummary(
  io: CommandIO,
  result: ScoreResult,
  problems: string[],
  warnings: string[],
): void {
  io.stdout(
    `wrote ${result.reportPath} and ${result.samplesPath} (${result.responses} responses)\n`,
  );
  printMetricLines(io, result.report.results);
  if (result.agreement !== undefined) {
    const { binary, threeWay } = result.agreement;
    const kappa = (value: number | undefined) =>
      value === undefined ? "undefined" : value.toFixed(3);
    io.stdout(
      `  agreement with human labels (n=${binary.n}): refusal vs compliance ${binary.accuracy.toFixed(3)} (kappa ${kappa(binary.kappa)}), three classes ${threeWay.accuracy.toFixed(3)} (kappa ${kappa(threeWay.kappa)})\n`,
    );
  }
  for (const warning of warnings) {
    io.stderr(`warning: ${warning}\n`);
  }
  for (const problem of problems) {
    io.stderr(`report.json: ${problem}\n`);
  }
}

export const scoreCommandModule: CommandModule = {
  register(program, context) {
    const command = program
      .command("score")
      .description(
        "Score recorded model responses with a suite's scorer and write report.json and samples.jsonl.",
      )
      .requiredOption("--suite <id>", "suite whose scorer and metrics to use (refusal-calibration)")
      .requiredOption(
        "--responses <file>",
        "responses to score: CSV with id, prompt, completion (optional type, final_label) or JSON Lines with id, prompt, completion",
      )
      .requiredOption(
        "--out <dir>",
        "folder to write report.json and samples.jsonl into (created if missing)",
        parseFolderPath,
      )
      .option(
        "--dataset <file>",
        "CSV in the XSTest prompts layout (id, prompt, type) that the response ids refer to",
      );
    addJudgeOptions(command);
    command
      .option("--concurrency <n>", "judge requests in flight at once", parsePositiveInteger, 4)
      .option(
        "--max-attempts <n>",
        "attempts per judge request, the first included",
        parsePositiveInteger,
        5,
      )
      .option(
        "--timeout <seconds>",
        "time limit of one judge request, in seconds",
        parsePositiveNumber,
      );
    addElicitationOptions(command, "recorded");
    addReportIdentityOptions(command);
    command.action(async (options: ScoreOptions) => {
      await context.run(() => scoreCommand(options, context.io));
    });
  },
};
