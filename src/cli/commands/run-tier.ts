/** `candor run --tier N`: every suite of tiers 1 to N, merged into one report. */

import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { RunEvent } from "../../engine/types.js";
import { quote, UsageError } from "../../errors.js";
import { loadRegistry } from "../../spec/registry.js";
import { isAgenticSuiteId } from "../../suites/agentic/catalog.js";
import { type TierGap, tierGaps } from "../../suites/tier-report.js";
import { runTier, suitesForTier, type TierRunResult } from "../../suites/tiers.js";
import { type CommandIO, ExitCode } from "../io.js";
import type { RunOptions } from "./run.js";
import {
  checkAgentOptions,
  checkWrittenReport,
  type PreparedRun,
  printResultLines,
  resumeHint,
  sampleUnit,
  withInterrupt,
} from "./run-setup.js";
import { outcomesPaths } from "./run-suite.js";

export async function runTierCommand(
  options: RunOptions,
  prepared: PreparedRun,
  io: CommandIO,
): Promise<number> {
  const tier = options.tier;
  if (options.dataset !== undefined) {
    throw new UsageError(
      "--dataset applies to one suite, not to a tier run",
      "Give --suite ID with --dataset; a tier run uses each suite's shipped items.",
    );
  }
  const suites = suitesForTier(tier);
  checkAgentOptions(
    options,
    suites.some((suite) => isAgenticSuiteId(suite.id)),
  );
  const { outDir } = prepared;
  if (prepared.resume && !existsSync(outDir)) {
    throw new UsageError(
      `there is no run to resume in ${quote(outDir)}`,
      "Check the folder, or start the run with --out DIR.",
    );
  }
  if (!prepared.resume) {
    const taken = ["report.json", ...suites.map((suite) => suite.id)].filter((name) =>
      existsSync(join(outDir, name)),
    );
    if (taken.length > 0) {
      throw new UsageError(
        `the folder ${quote(outDir)} already contains a run (${taken.join(", ")})`,
        `Resume it with --resume ${outDir}, or choose another output folder.`,
      );
    }
  }

  const registry = loadRegistry();
  let render: ((event: RunEvent) => void) | undefined;
  const result = await withInterrupt((signal) =>
    runTier({
      tier,
      outDir,
      resume: prepared.resume,
      model: prepared.model,
      modelSpec: options.model,
      ...(prepared.judge === undefined ? {} : { judge: prepared.judge }),
      ...(options.limit === undefined ? {} : { limit: options.limit }),
      ...(options.policy === undefined ? {} : { policyPath: resolve(io.cwd, options.policy) }),
      ...(prepared.replayFile === undefined ? {} : { replayFile: prepared.replayFile }),
      generation: prepared.generation,
      engine: prepared.engine,
      ...(prepared.agent === undefined ? {} : { agent: prepared.agent }),
      identity: { publisher: prepared.identity.publisher, model: prepared.identity.model },
      registry,
      onSuite: (info, state, detail) => {
        if (state === "start") {
          render = prepared.progress();
          io.stderr(`${info.id}: running into ${detail}\n`);
        } else {
          io.stderr(`warning: ${info.id} skipped: ${detail}\n`);
        }
      },
      onEvent: (_suite, event) => render?.(event),
      signal,
    }),
  );

  for (const record of result.suites) {
    if (record.state === "ran") {
      for (const warning of record.output.warnings) {
        io.stderr(`warning: ${record.info.id}: ${warning}\n`);
      }
    }
  }
  if (result.written === undefined) {
    io.stderr(
      `candor: the run was interrupted in ${result.interrupted}; finish it with: candor run --resume ${outDir} ${resumeHint(options)}\n`,
    );
    return ExitCode.failed;
  }

  const { report, reportPath } = result.written;
  const validation = await checkWrittenReport(reportPath, registry);
  const problems = validation.problems;
  const gaps = tierGaps(report, registry);
  const errors = sum(result, "errors");

  if (options.json === true) {
    io.stdout(
      `${JSON.stringify(
        {
          report: reportPath,
          claimed_tier: tier,
          reached_tier: validation.reachedTier,
          valid: validation.valid,
          suites: result.suites.map((record) =>
            record.state === "skipped"
              ? { suite: record.info.id, state: "skipped", reason: record.reason }
              : {
                  suite: record.info.id,
                  state: "ran",
                  folder: record.dir,
                  outcomes: outcomesPaths(
                    record.output.written?.report ?? report,
                    record.output.written?.reportPath ?? reportPath,
                  ),
                  [sampleUnit(record.info.id)]: record.output.done,
                  errors: record.output.errors,
                  judge_errors: record.output.judgeErrors,
                  warnings: record.output.warnings,
                },
          ),
          results: report.results.filter((entry) => entry.status === "reported"),
          not_reported: gaps,
          problems,
        },
        null,
        2,
      )}\n`,
    );
  } else {
    io.stdout(`wrote ${reportPath}\n`);
    for (const record of result.suites) {
      io.stdout(
        record.state === "skipped"
          ? `  ${record.info.id.padEnd(20)} skipped\n`
          : `  ${record.info.id.padEnd(20)} ${record.output.done} ${sampleUnit(record.info.id)}, ${record.output.errors} errors, in ${record.dir}\n`,
      );
    }
    printResultLines(io, report.results);
    io.stdout(
      `${reportPath}: ${validation.valid ? "valid" : "INVALID"}; claims tier ${tier}, reaches tier ${validation.reachedTier}\n`,
    );
    printGaps(io, gaps, tier);
  }
  for (const problem of problems) {
    io.stderr(`${reportPath}: ${problem}\n`);
  }

  const judgeErrors = sum(result, "judgeErrors");
  if (judgeErrors > 0) {
    io.stderr(
      `warning: ${judgeErrors} responses are unscored because every judge request for them failed\n`,
    );
  }
  if (errors > 0) {
    io.stderr(
      `candor: ${errors} samples ended in an error after ${options.maxAttempts} attempts and are left out of the metrics. Retry them with: candor run --resume ${outDir} ${resumeHint(options)}\n`,
    );
    return ExitCode.failed;
  }
  // The measurements stay stored either way, but a report that does not
  // validate is not publishable, so the run says so and exits 1.
  if (!validation.valid) {
    io.stderr(
      `candor: the report does not validate; fix the problems above (most need an option such as --model-version or --developer) and run candor validate ${reportPath}\n`,
    );
    return ExitCode.failed;
  }
  return ExitCode.ok;
}

function printGaps(io: CommandIO, gaps: readonly TierGap[], tier: number): void {
  if (gaps.length === 0) {
    return;
  }
  io.stdout(`  tier ${tier} needs these stable metrics reported:\n`);
  for (const gap of gaps) {
    const note = gap.notes === undefined ? "" : `: ${gap.notes}`;
    io.stdout(`    ${gap.metric.padEnd(38)} ${gap.status ?? "missing"}${note}\n`);
  }
}

function sum(result: TierRunResult, key: "errors" | "judgeErrors"): number {
  return result.suites.reduce(
    (total, record) => total + (record.state === "ran" ? record.output[key] : 0),
    0,
  );
}
