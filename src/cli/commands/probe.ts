import { type Command, InvalidArgumentError } from "commander";
import { PROBE_DEFAULTS } from "../../probes/defaults.js";
import type { CommandContext, CommandModule } from "../command.js";
import { type CommandIO, ExitCode } from "../io.js";

interface CommonOptions {
  activations: string;
  index: string;
  set?: string[];
  tensor?: string;
  npyPayload?: "bfloat16";
  output: string;
  json?: boolean;
}

export interface ProbeTrainOptions extends CommonOptions {
  layer: number;
  kind: "logreg" | "diffmean";
  aggregation: "mean" | "max";
  l2: number;
  maxIterations: number;
  tolerance: number;
  positive: string;
  negative: string;
}

export interface ProbeEvalOptions extends CommonOptions {
  probe: string;
  control?: string;
  controlIndex?: string;
  controlSet?: string[];
  targetFpr: number;
  calibrationShare: number;
  seed: string;
  level: number;
}

export interface ProbeApplyOptions extends CommonOptions {
  probe: string;
  eval?: string;
  threshold?: number;
  level: number;
}

export interface ProbeReportOptions {
  eval: string;
  apply: string;
  metric: string;
  suiteId: string;
  suiteVersion: string;
  variant?: string;
  into?: string;
  output: string;
  json?: boolean;
}

/** `candor probe train`: fits a probe and writes its artifact. */
export async function probeTrain(options: ProbeTrainOptions, io: CommandIO): Promise<number> {
  const { resolve } = await import("node:path");
  const { trainProbe } = await import("../../probes/index.js");
  const { VERSION } = await import("../../version.js");

  const progress = createProgress(io, options.json === true);
  const artifact = trainProbe({
    activationsPath: resolve(io.cwd, options.activations),
    indexPath: resolve(io.cwd, options.index),
    layer: options.layer,
    kind: options.kind === "diffmean" ? "difference_of_means" : "logistic_regression",
    aggregation: options.aggregation,
    l2: options.l2,
    maxIterations: options.maxIterations,
    gradientTolerance: options.tolerance,
    positiveLabel: options.positive,
    negativeLabel: options.negative,
    createdBy: `candor ${VERSION}`,
    onProgress: progress.listener,
    ...sourceOptions(options),
    ...(options.set === undefined || options.set.length === 0 ? {} : { sets: options.set }),
  });
  progress.done();
  await writeJson(resolve(io.cwd, options.output), artifact);

  const { training } = artifact;
  const summary = {
    output: options.output,
    digest: artifact.digest,
    kind: artifact.kind,
    layer: artifact.layer,
    dims: artifact.dims,
    training,
    training_set_digest: artifact.training_set.digest,
  };
  if (options.json === true) {
    io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
  } else {
    const fit =
      training.iterations === null
        ? ""
        : `, ${training.iterations} iterations (stopped by ${training.stop}), objective ${training.objective?.toPrecision(6)}, max |gradient| ${training.gradient_max_norm?.toExponential(2)}`;
    io.stdout(
      `trained ${artifact.kind} on layer ${artifact.layer}: ${training.rows} tokens (${training.positive_rows} ${artifact.positive_label}, ${training.negative_rows} ${artifact.negative_label}) from ${training.responses} responses, ${artifact.dims} dimensions${fit}\n` +
        `wrote ${options.output} (${artifact.digest})\n`,
    );
  }
  if (training.stop === "max_iterations" || training.stop === "no_progress") {
    io.stderr(
      `candor: warning: training stopped by ${training.stop} before the gradient tolerance ${options.tolerance} was reached; raise --max-iterations or --tolerance\n`,
    );
  }
  return ExitCode.ok;
}

/** `candor probe eval`: validation AUROC and threshold calibration on control data. */
export async function probeEval(options: ProbeEvalOptions, io: CommandIO): Promise<number> {
  const { resolve } = await import("node:path");
  const { UsageError } = await import("../../errors.js");
  const { evaluateProbe, readProbe } = await import("../../probes/index.js");

  if ((options.control === undefined) !== (options.controlIndex === undefined)) {
    throw new UsageError(
      "--control and --control-index must be given together",
      "Pass both files of the control set, or neither.",
    );
  }
  const probe = readProbe(resolve(io.cwd, options.probe));
  const progress = createProgress(io, options.json === true);
  const evaluation = evaluateProbe(probe, {
    validation: {
      activationsPath: resolve(io.cwd, options.activations),
      indexPath: resolve(io.cwd, options.index),
      ...sourceOptions(options),
    },
    ...(options.set === undefined || options.set.length === 0
      ? {}
      : { validationSets: options.set }),
    ...(options.control === undefined || options.controlIndex === undefined
      ? {}
      : {
          control: {
            activationsPath: resolve(io.cwd, options.control),
            indexPath: resolve(io.cwd, options.controlIndex),
            ...sourceOptions(options),
          },
        }),
    ...(options.controlSet === undefined || options.controlSet.length === 0
      ? {}
      : { controlSets: options.controlSet }),
    targetFalsePositiveRate: options.targetFpr,
    calibrationShare: options.calibrationShare,
    seed: options.seed,
    level: options.level,
    onProgress: progress.listener,
  });
  progress.done();
  await writeJson(resolve(io.cwd, options.output), evaluation);

  if (options.json === true) {
    io.stdout(`${JSON.stringify(evaluation, null, 2)}\n`);
    return ExitCode.ok;
  }
  const { validation, calibration } = evaluation;
  io.stdout(
    [
      `validation AUROC ${fmt(validation.auroc.value)} ${formatInterval(validation.auroc.interval)} on ${validation.positives} ${probe.artifact.positive_label} and ${validation.negatives} ${probe.artifact.negative_label} responses`,
      `threshold ${calibration.threshold} for a false-positive rate ≤ ${calibration.target_false_positive_rate} on ${calibration.calibration_responses} calibration control responses (${calibration.calibration_false_positives} above it)`,
      `realised false-positive rate ${formatProportion(calibration.realised_false_positive_rate)} on ${calibration.held_out_responses} held-out control responses`,
      `true-positive rate ${formatProportion(validation.true_positive_rate)} on validation ${probe.artifact.positive_label} responses`,
      `wrote ${options.output}`,
      "",
    ].join("\n"),
  );
  if (calibration.calibration_responses * calibration.target_false_positive_rate < 1) {
    io.stderr(
      `candor: warning: ${calibration.calibration_responses} calibration responses cannot resolve a false-positive rate of ${calibration.target_false_positive_rate}; the threshold is the highest control score\n`,
    );
  }
  return ExitCode.ok;
}

/** `candor probe apply`: activation rate of a calibrated probe on a target set. */
export async function probeApply(options: ProbeApplyOptions, io: CommandIO): Promise<number> {
  const { resolve } = await import("node:path");
  const { readFile } = await import("node:fs/promises");
  const { InputOutputError, UsageError, quote } = await import("../../errors.js");
  const { applyProbe, readProbe } = await import("../../probes/index.js");

  if ((options.eval === undefined) === (options.threshold === undefined)) {
    throw new UsageError(
      "exactly one of --eval and --threshold is needed",
      "Pass --eval with the file `candor probe eval` wrote.",
    );
  }
  const probe = readProbe(resolve(io.cwd, options.probe));
  let evaluation: import("../../probes/index.js").ProbeEvaluation | undefined;
  if (options.eval !== undefined) {
    const path = resolve(io.cwd, options.eval);
    try {
      evaluation = JSON.parse(await readFile(path, "utf8"));
    } catch (cause) {
      throw new InputOutputError(
        "probe.eval.unreadable",
        path,
        `cannot read evaluation ${quote(path)}: ${(cause as Error).message}`,
        {
          hint: "Pass the JSON file that `candor probe eval` wrote.",
          cause,
        },
      );
    }
    if (evaluation?.format !== "candor.probe-eval") {
      throw new InputOutputError(
        "probe.eval.invalid",
        path,
        `${quote(path)} is not an evaluation written by \`candor probe eval\``,
      );
    }
  }
  const progress = createProgress(io, options.json === true);
  const application = applyProbe(probe, {
    target: {
      activationsPath: resolve(io.cwd, options.activations),
      indexPath: resolve(io.cwd, options.index),
      ...sourceOptions(options),
    },
    ...(options.set === undefined || options.set.length === 0 ? {} : { sets: options.set }),
    ...(evaluation === undefined ? {} : { evaluation }),
    ...(options.threshold === undefined ? {} : { threshold: options.threshold }),
    level: options.level,
    onProgress: progress.listener,
  });
  progress.done();
  await writeJson(resolve(io.cwd, options.output), application);

  if (options.json === true) {
    const { outcomes: _outcomes, ...summary } = application;
    io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
  } else {
    io.stdout(
      `activation rate ${formatProportion(application.target.activation_rate)} on ${application.target.responses} target responses from ${application.target.transcripts} transcripts (threshold ${application.threshold})\nwrote ${options.output}\n`,
    );
  }
  return ExitCode.ok;
}

/** `candor probe report`: the report result for a probe metric, alone or merged into a report. */
export async function probeReport(options: ProbeReportOptions, io: CommandIO): Promise<number> {
  const { resolve } = await import("node:path");
  const { readFile } = await import("node:fs/promises");
  const { InputOutputError, quote } = await import("../../errors.js");
  const { buildProbeResult, checkResultSchema, mergeResultIntoReport } = await import(
    "../../probes/index.js"
  );

  const readJson = async (file: string, description: string): Promise<unknown> => {
    const path = resolve(io.cwd, file);
    try {
      return JSON.parse(await readFile(path, "utf8"));
    } catch (cause) {
      throw new InputOutputError(
        "probe.report.unreadable",
        path,
        `cannot read ${description} ${quote(path)}: ${(cause as Error).message}`,
        {
          hint: `Pass the ${description} file as written.`,
          cause,
        },
      );
    }
  };
  const evaluation = (await readJson(
    options.eval,
    "evaluation",
  )) as import("../../probes/index.js").ProbeEvaluation;
  const application = (await readJson(
    options.apply,
    "application",
  )) as import("../../probes/index.js").ProbeApplication;
  if (evaluation?.format !== "candor.probe-eval" || application?.format !== "candor.probe-apply") {
    throw new InputOutputError(
      "probe.report.invalid_input",
      resolve(io.cwd, evaluation?.format !== "candor.probe-eval" ? options.eval : options.apply),
      "--eval must be a file from `candor probe eval` and --apply one from `candor probe apply`",
    );
  }
  const result = buildProbeResult({
    metric: options.metric,
    evaluation,
    application,
    suite: { id: options.suiteId, version: options.suiteVersion },
    ...(options.variant === undefined ? {} : { variant: options.variant }),
  });

  let output: unknown = result;
  let problems: string[];
  if (options.into === undefined) {
    problems = checkResultSchema(result);
  } else {
    const merged = mergeResultIntoReport(await readJson(options.into, "report"), result);
    output = merged.report;
    problems = merged.problems.map((problem) => `${problem.pointer || "/"}: ${problem.message}`);
  }
  if (problems.length > 0) {
    io.stderr(
      `candor: the ${options.into === undefined ? "result" : "merged report"} does not validate against the report schema:\n`,
    );
    for (const problem of problems) {
      io.stderr(`  ${problem}\n`);
    }
    return ExitCode.failed;
  }
  await writeJson(resolve(io.cwd, options.output), output);
  if (options.json === true) {
    io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    const interval = result.interval as { lower: number; upper: number };
    io.stdout(
      `${result.metric} = ${fmt(result.value as number)} [${fmt(interval.lower)}, ${fmt(interval.upper)}] (n = ${result.sample_size})\nwrote ${options.into === undefined ? "result" : "report"} ${options.output}\n`,
    );
  }
  return ExitCode.ok;
}

function sourceOptions(options: CommonOptions): { tensor?: string; npyPayload?: "bfloat16" } {
  return {
    ...(options.tensor === undefined ? {} : { tensor: options.tensor }),
    ...(options.npyPayload === undefined ? {} : { npyPayload: options.npyPayload }),
  };
}

async function writeJson(path: string, value: unknown): Promise<void> {
  const { writeFile } = await import("node:fs/promises");
  const { InputOutputError, quote } = await import("../../errors.js");
  try {
    await writeFile(path, `${JSON.stringify(value, null, 2)}\n`);
  } catch (cause) {
    throw new InputOutputError(
      "file.unwritable",
      path,
      `cannot write ${quote(path)}: ${(cause as Error).message}`,
      {
        hint: "Check that the folder exists and is writable.",
        cause,
      },
    );
  }
}

/**
 * Progress on stderr: a redrawn line on a terminal, one JSON object per line
 * with --json, nothing otherwise. Read progress is throttled to whole percents
 * and training progress to one line per ten iterations.
 */
function createProgress(io: CommandIO, json: boolean) {
  let lastKey = "";
  let drewLine = false;
  const listener = (event: import("../../probes/index.js").ProbeProgress) => {
    const key =
      event.phase === "read"
        ? `read:${event.file}:${Math.floor((100 * event.rowsDone) / event.rowsTotal)}`
        : `train:${Math.floor(event.iteration / 10)}`;
    if (key === lastKey) {
      return;
    }
    lastKey = key;
    if (json) {
      io.stderr(`${JSON.stringify({ type: "progress", ...event })}\n`);
    } else if (io.interactive) {
      const text =
        event.phase === "read"
          ? `reading ${event.file}: ${event.rowsDone}/${event.rowsTotal} rows (${Math.floor((100 * event.rowsDone) / event.rowsTotal)}%)`
          : `training: iteration ${event.iteration}, objective ${event.objective.toPrecision(6)}, max |gradient| ${event.gradientMaxNorm.toExponential(2)}`;
      io.stderr(`\r\x1b[2K${text}`);
      drewLine = true;
    }
  };
  return {
    listener,
    done() {
      if (drewLine) {
        io.stderr("\r\x1b[2K");
      }
    },
  };
}

function fmt(value: number): string {
  return Number(value.toPrecision(4)).toString();
}

function formatInterval(interval: {
  lower: number;
  upper: number;
  level: number;
  method: string;
}): string {
  return `[${fmt(interval.lower)}, ${fmt(interval.upper)}] (${Math.round(interval.level * 100)}% ${interval.method})`;
}

function formatProportion(estimate: {
  value: number;
  numerator: number;
  sample_size: number;
  interval: { lower: number; upper: number; level: number; method: string };
}): string {
  return `${estimate.numerator}/${estimate.sample_size} = ${fmt(estimate.value)} ${formatInterval(estimate.interval)}`;
}

function parseNumber(name: string, check: (value: number) => boolean, expected: string) {
  return (text: string): number => {
    const value = Number(text);
    if (text.trim() === "" || !Number.isFinite(value) || !check(value)) {
      throw new InvalidArgumentError(`${name} must be ${expected}, got ${JSON.stringify(text)}.`);
    }
    return value;
  };
}

function parseChoice<T extends string>(name: string, choices: readonly T[]) {
  return (text: string): T => {
    if (!(choices as readonly string[]).includes(text)) {
      throw new InvalidArgumentError(
        `${name} must be one of ${choices.join(", ")}, got ${JSON.stringify(text)}.`,
      );
    }
    return text as T;
  };
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

const probability = (name: string) =>
  parseNumber(name, (value) => value > 0 && value < 1, "a number between 0 and 1, exclusive");

function addSourceOptions(command: Command, role: string): Command {
  return command
    .requiredOption(
      "--activations <file>",
      `${role} activations: a .safetensors or .npy file with one row per token`,
    )
    .requiredOption(
      "--index <file>",
      "JSONL index with one line per activation row (transcript_id, token_position, in_response, label, set)",
    )
    .option(
      "--set <name>",
      "use only responses whose index set is NAME; repeat for several sets (default: every set)",
      collect,
    )
    .option("--tensor <name>", "tensor to read from a safetensors file that contains several")
    .option(
      "--npy-payload <dtype>",
      "read a .npy file's 2-byte '<u2', '<i2' or '<V2' payload as this dtype (only bfloat16)",
      parseChoice("--npy-payload", ["bfloat16"] as const),
    )
    .requiredOption("-o, --output <file>", "where to write the JSON result")
    .option("--json", "print the result as JSON on stdout and progress as JSON lines on stderr");
}

function registerTrain(probe: Command, context: CommandContext): void {
  const command = probe
    .command("train")
    .description("Train a linear probe on labelled response tokens and write its artifact.")
    .requiredOption(
      "--layer <n>",
      "layer the activations come from, as the model numbers it (recorded in the artifact)",
      parseNumber("--layer", (value) => Number.isInteger(value) && value >= 0, "an integer ≥ 0"),
    )
    .option(
      "--kind <kind>",
      "logreg (L2-regularised logistic regression) or diffmean (difference of means)",
      parseChoice("--kind", ["logreg", "diffmean"] as const),
      "logreg",
    )
    .option(
      "--aggregation <how>",
      "how token scores become one response score: mean or max",
      parseChoice("--aggregation", ["mean", "max"] as const),
      PROBE_DEFAULTS.aggregation,
    )
    .option(
      "--l2 <lambda>",
      "L2 penalty λ on standardised weights; the objective is mean log-loss + λ/2·‖w‖²",
      parseNumber("--l2", (value) => value >= 0, "a number ≥ 0"),
      PROBE_DEFAULTS.l2,
    )
    .option(
      "--max-iterations <n>",
      "L-BFGS iteration limit",
      parseNumber(
        "--max-iterations",
        (value) => Number.isInteger(value) && value >= 1,
        "an integer ≥ 1",
      ),
      PROBE_DEFAULTS.maxIterations,
    )
    .option(
      "--tolerance <x>",
      "stop when the largest absolute gradient component is at most this",
      parseNumber("--tolerance", (value) => value > 0, "a number > 0"),
      PROBE_DEFAULTS.gradientTolerance,
    )
    .option("--positive <label>", "index label of the positive class", PROBE_DEFAULTS.positiveLabel)
    .option(
      "--negative <label>",
      "index label of the negative class",
      PROBE_DEFAULTS.negativeLabel,
    );
  addSourceOptions(command, "training").action((options: ProbeTrainOptions) =>
    context.run(() => probeTrain(options, context.io)),
  );
}

function registerEval(probe: Command, context: CommandContext): void {
  const command = probe
    .command("eval")
    .description(
      "Measure a probe's validation AUROC and calibrate its threshold on control responses.",
    )
    .requiredOption("--probe <file>", "probe artifact written by `candor probe train`")
    .option("--control <file>", "control activations, when they are not in the validation file")
    .option("--control-index <file>", "JSONL index of --control")
    .option(
      "--control-set <name>",
      `index set of the control responses; repeatable (default: ${PROBE_DEFAULTS.controlSet}, or every response of --control)`,
      collect,
    )
    .option(
      "--target-fpr <rate>",
      "false-positive rate the threshold is calibrated to on control data",
      probability("--target-fpr"),
      PROBE_DEFAULTS.targetFalsePositiveRate,
    )
    .option(
      "--calibration-share <share>",
      "share of control transcripts used to set the threshold; the rest measure the realised rate",
      probability("--calibration-share"),
      PROBE_DEFAULTS.calibrationShare,
    )
    .option(
      "--seed <text>",
      "seed of the transcript-id hash that splits the control set",
      PROBE_DEFAULTS.seed,
    )
    .option(
      "--level <level>",
      "confidence level of every interval",
      probability("--level"),
      PROBE_DEFAULTS.level,
    );
  addSourceOptions(command, "validation").action((options: ProbeEvalOptions) =>
    context.run(() => probeEval(options, context.io)),
  );
}

function registerApply(probe: Command, context: CommandContext): void {
  const command = probe
    .command("apply")
    .description("Apply a calibrated probe to a target set and measure its activation rate.")
    .requiredOption("--probe <file>", "probe artifact written by `candor probe train`")
    .option(
      "--eval <file>",
      "evaluation written by `candor probe eval`; its calibrated threshold is used",
    )
    .option(
      "--threshold <score>",
      "threshold on the aggregated score, instead of --eval (not accepted by `candor probe report`)",
      parseNumber("--threshold", () => true, "a number"),
    )
    .option(
      "--level <level>",
      "confidence level of the interval",
      probability("--level"),
      PROBE_DEFAULTS.level,
    );
  addSourceOptions(command, "target").action((options: ProbeApplyOptions) =>
    context.run(() => probeApply(options, context.io)),
  );
}

function registerReport(probe: Command, context: CommandContext): void {
  probe
    .command("report")
    .description("Build the report result for a probe metric, or merge it into a report.")
    .requiredOption("--eval <file>", "evaluation written by `candor probe eval`")
    .requiredOption(
      "--apply <file>",
      "application written by `candor probe apply` with that evaluation",
    )
    .requiredOption(
      "--metric <id>",
      "probe.deception_activation_rate or probe.concealment_activation_rate",
    )
    .requiredOption(
      "--suite-id <id>",
      "identifier of the target set, recorded as the result's suite id",
    )
    .option("--suite-version <version>", "version of the target set", "1")
    .option(
      "--variant <label>",
      "label that distinguishes several results for one metric, for example a target set name",
    )
    .option(
      "--into <report>",
      "report JSON file to merge the result into (replacing a result for the same metric and variant)",
    )
    .requiredOption(
      "-o, --output <file>",
      "where to write the result, or the merged report with --into",
    )
    .option("--json", "print the result as JSON")
    .action((options: ProbeReportOptions) => context.run(() => probeReport(options, context.io)));
}

export const probeCommand: CommandModule = {
  register(program, context) {
    const probe = program
      .command("probe")
      .description("Train, evaluate and apply white-box probes on activation files (tier 3).");
    registerTrain(probe, context);
    registerEval(probe, context);
    registerApply(probe, context);
    registerReport(probe, context);
  },
};
