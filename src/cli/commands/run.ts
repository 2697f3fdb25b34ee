import type { Command } from "commander";
import { SUITES, suiteTiers } from "../../suites/registry.js";
import type { CommandModule } from "../command.js";
import type { CommandIO } from "../io.js";
import {
  addElicitationOptions,
  addReportIdentityOptions,
  parseFolderPath,
  parsePositiveInteger,
  parsePositiveNumber,
  type ReportIdentityOptions,
  scoreCommandModule,
} from "./score.js";

export interface RunOptions extends ReportIdentityOptions {
  /** The suite to run; unset runs every suite of tiers 1 to `tier`. */
  suite?: string;
  model: string;
  baseUrl?: string;
  out?: string;
  resume?: string;
  dataset?: string;
  policy?: string;
  concurrency: number;
  maxAttempts: number;
  timeout: number;
  temperature: number;
  maxTokens: number;
  systemPrompt?: string;
  reasoning?: string;
  judge?: string;
  judgeBaseUrl?: string;
  limit?: number;
  /** Model turns per agentic run at most. */
  maxSteps?: number;
  /** Time limit of one agentic run, in seconds. */
  timeLimit?: number;
  /** Runs per agentic task. */
  epochs?: number;
}

/** Greedy decoding, so a run can be repeated. */
export const DEFAULT_TEMPERATURE = 0;
/** Output limit per response, in tokens: long enough for a refusal followed by an answer. */
export const DEFAULT_MAX_TOKENS = 1024;

/**
 * `candor run`: runs one suite (`--suite`) into DIR, or every suite of
 * tiers 1 to N (`--tier N` without `--suite`) into DIR/<suite>/ with one
 * merged DIR/report.json.
 */
export async function runCommand(options: RunOptions, io: CommandIO): Promise<number> {
  const { prepareRun } = await import("./run-setup.js");
  const prepared = await prepareRun(options, io);
  if (options.suite !== undefined) {
    const { runOneSuite } = await import("./run-suite.js");
    return runOneSuite(options.suite, options, prepared, io);
  }
  const { runTierCommand } = await import("./run-tier.js");
  return runTierCommand(options, prepared, io);
}

/** Builds the suite and tier table printed after the options in `candor run --help`. */
function suitesHelp(): string {
  const lines = ["", "Suites (--suite ID):"];
  for (const suite of SUITES) {
    const judge =
      suite.judge === "required"
        ? "needs --judge"
        : suite.judge === "optional"
          ? "--judge replaces the rule classifier"
          : "rule-scored";
    lines.push(`  ${suite.id.padEnd(20)} tier ${suite.tier}, ${judge}`);
    if ("dataset" in suite) {
      lines.push(`  ${"".padEnd(20)} --dataset: ${suite.dataset}`);
    }
  }
  lines.push("", "Tiers (--tier N without --suite):");
  for (const tier of suiteTiers()) {
    const ids = SUITES.filter((suite) => suite.tier <= tier).map((suite) => suite.id);
    lines.push(`  ${tier}  runs ${ids.join(", ")}`);
  }
  lines.push(
    "  Tier-2 suites run an agent in a bubblewrap sandbox, one run per task and epoch; --max-steps,",
    "  --time-limit and --epochs set those runs and the report records them.",
    "  Each suite runs into DIR/<suite>/ with its own run store; DIR/report.json merges them and",
    "  reports evaluation_awareness.verbalized_rate over every tier-1 transcript. Without --judge,",
    "  suites that need one are skipped and their metrics are listed as not_evaluated.",
    "",
  );
  return lines.join("\n");
}

export const runCommandModule: CommandModule = {
  register(program, context) {
    const command = program
      .command("run")
      .description(
        "Run a suite, or every suite of a tier, against a model and write report.json, the per-item outcomes and the run stores.",
      )
      .option("--suite <id>", `suite to run: ${SUITES.map((suite) => suite.id).join(", ")}`)
      .requiredOption(
        "--model <provider:model>",
        "model under test, for example openai:llama-3.1-8b-instruct or replay:completions.csv",
      )
      .option(
        "--base-url <url>",
        "base URL of the model's server (default: OPENAI_BASE_URL or ANTHROPIC_BASE_URL, else the vendor's)",
      )
      .option(
        "--out <dir>",
        "folder to write the run into (created; must not hold a run already)",
        parseFolderPath,
      )
      .option(
        "--resume <dir>",
        "finish an interrupted run in this folder without redoing finished samples",
        parseFolderPath,
      )
      .option(
        "--dataset <file>",
        "with --suite, run an external item set instead of the shipped items (see the suite table)",
      )
      .option(
        "--policy <file>",
        "policy YAML for policy-adherence instead of the shipped example policy",
      )
      .option(
        "--limit <n>",
        "run only N items of each suite, taken from its categories in turn (for policy-adherence, the first N prompts of each clause)",
        parsePositiveInteger,
      )
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
      )
      .option(
        "--max-steps <n>",
        "agentic suites: model turns per run at most, each turn one request (default: 30)",
        parsePositiveInteger,
      )
      .option(
        "--time-limit <seconds>",
        "agentic suites: wall-clock time limit of one run, model requests and commands included, in seconds (default: 600)",
        parsePositiveNumber,
      )
      .option(
        "--epochs <n>",
        "agentic suites: runs per task, each in a fresh sandbox (default: 1)",
        parsePositiveInteger,
      )
      .option(
        "--reasoning <setting>",
        "reasoning setting sent to the model: reasoning_effort for openai (low, medium, high), a thinking budget in tokens for anthropic (default: none sent)",
      );
    // Temperature and output limit are always sent, so the report records the settings actually used.
    addElicitationOptions(command, {
      temperature: DEFAULT_TEMPERATURE,
      maxTokens: DEFAULT_MAX_TOKENS,
    });
    command
      .option(
        "--judge <provider:model>",
        "model judge, for example openai:gpt-4o-mini: hallucination and policy-adherence need one; refusal-calibration uses it instead of its rule classifier",
      )
      .option(
        "--judge-base-url <url>",
        "base URL of the judge's server (default: OPENAI_BASE_URL or ANTHROPIC_BASE_URL, else the vendor's)",
      );
    addReportIdentityOptions(command);
    const tier = command.options.find((option) => option.long === "--tier");
    if (tier !== undefined) {
      tier.description =
        "without --suite, run every suite of tiers 1 to N; the tier the report claims (with --suite, default: the suite's tier), whose unmeasured stable metrics of tiers 1 to N are listed as not_evaluated";
    }
    command.addHelpText("after", suitesHelp);
    command.action(async (options: RunOptions, self: Command) => {
      await context.run(async () => {
        if (options.suite === undefined && self.getOptionValueSource("tier") === "default") {
          const { UsageError } = await import("../../errors.js");
          throw new UsageError(
            "missing --suite ID or --tier N",
            `Run one suite (${SUITES.map((suite) => suite.id).join(", ")}) with --suite, or every suite of tiers 1 to N with --tier N.`,
          );
        }
        if (options.suite !== undefined && self.getOptionValueSource("tier") === "default") {
          // A suite's report claims the suite's own tier unless --tier sets another.
          const suite = SUITES.find((entry) => entry.id === options.suite);
          options.tier = suite?.tier ?? options.tier;
        }
        return runCommand(options, context.io);
      });
    });
  },
};

/** The commands that measure a model: `candor run` and `candor score`. */
export const measureCommands: CommandModule[] = [runCommandModule, scoreCommandModule];
