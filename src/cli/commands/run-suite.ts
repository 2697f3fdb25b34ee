/** `candor run --suite ID`: one suite into one folder. */

import { dirname, join, resolve } from "node:path";
import { UsageError } from "../../errors.js";
import type { Report } from "../../spec/generated/report.js";
import { loadRegistry } from "../../spec/registry.js";
import { isAgenticSuiteId } from "../../suites/agentic/catalog.js";
import { parseSuiteId, SUITES, suiteInfo } from "../../suites/registry.js";
import { JudgeRequiredError, loadSuiteRunner } from "../../suites/tiers.js";
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

export async function runOneSuite(
  id: string,
  options: RunOptions,
  prepared: PreparedRun,
  io: CommandIO,
): Promise<number> {
  const suiteId = parseSuiteId(id);
  const info = suiteInfo(suiteId);
  if (options.dataset !== undefined && info.dataset === undefined) {
    const takers = SUITES.filter((suite) => "dataset" in suite).map((suite) => suite.id);
    throw new UsageError(
      `suite ${suiteId} takes no --dataset`,
      `Suites that run an external data set: ${takers.join(", ")}.`,
    );
  }
  if (options.policy !== undefined && suiteId !== "policy-adherence") {
    throw new UsageError(
      `--policy applies to policy-adherence, not to ${suiteId}`,
      "Run --suite policy-adherence --policy FILE, or leave --policy out.",
    );
  }
  if (info.judge === "required" && prepared.judge === undefined) {
    throw new JudgeRequiredError(suiteId);
  }
  checkAgentOptions(options, isAgenticSuiteId(suiteId));
  const unit = sampleUnit(suiteId);

  const runner = await loadSuiteRunner(suiteId);
  const output = await withInterrupt((signal) =>
    runner.run({
      model: prepared.model,
      modelSpec: options.model,
      ...(prepared.judge === undefined ? {} : { judge: prepared.judge }),
      outDir: prepared.outDir,
      resume: prepared.resume,
      ...(options.limit === undefined ? {} : { limit: options.limit }),
      ...(options.dataset === undefined ? {} : { datasetPath: resolve(io.cwd, options.dataset) }),
      ...(options.policy === undefined ? {} : { policyPath: resolve(io.cwd, options.policy) }),
      ...(prepared.replayFile === undefined ? {} : { replayFile: prepared.replayFile }),
      generation: prepared.generation,
      engine: prepared.engine,
      ...(prepared.agent === undefined ? {} : { agent: prepared.agent }),
      identity: prepared.identity,
      onEvent: prepared.progress(),
      signal,
    }),
  );
  for (const warning of output.warnings) {
    io.stderr(`warning: ${warning}\n`);
  }

  if (output.written === undefined) {
    io.stderr(
      `candor: the run was interrupted after ${output.done} ${unit}; finish it with: candor run --resume ${prepared.outDir} ${resumeHint(options)}\n`,
    );
    return ExitCode.failed;
  }

  const { report, reportPath } = output.written;
  const outcomes = outcomesPaths(report, reportPath);
  const validation = await checkWrittenReport(reportPath, loadRegistry());
  if (options.json === true) {
    io.stdout(
      `${JSON.stringify(
        {
          report: reportPath,
          outcomes,
          [unit]: output.done,
          errors: output.errors,
          judge_errors: output.judgeErrors,
          warnings: output.warnings,
          valid: validation.valid,
          problems: validation.problems,
          results: report.results.filter((entry) => entry.status === "reported"),
        },
        null,
        2,
      )}\n`,
    );
  } else {
    io.stdout(
      `wrote ${[reportPath, ...outcomes].join(" and ")} (${output.done} ${unit}, ${output.errors} errors)\n`,
    );
    printResultLines(io, report.results);
  }

  for (const problem of validation.problems) {
    io.stderr(`${reportPath}: ${problem}\n`);
  }
  if (output.judgeErrors > 0) {
    io.stderr(
      `warning: ${output.judgeErrors} responses are unscored because every judge request for them failed\n`,
    );
  }
  if (output.errors > 0) {
    io.stderr(
      `candor: ${output.errors} ${unit === "runs" ? "runs" : "samples"} ended in an error after ${options.maxAttempts} attempts; the report covers the ${output.done} that succeeded. Retry them with: candor run --resume ${prepared.outDir} ${resumeHint(options)}\n`,
    );
    return ExitCode.failed;
  }
  if (!validation.valid) {
    io.stderr(
      `candor: the report does not validate; fix the problems above (most need an option such as --model-version or --developer) and run candor validate ${reportPath}\n`,
    );
    return ExitCode.failed;
  }
  return ExitCode.ok;
}

/** Absolute paths of the outcomes files a report's results name, each once. */
export function outcomesPaths(report: Report, reportPath: string): string[] {
  const paths = new Set<string>();
  for (const result of report.results) {
    if (result.outcomes !== undefined) {
      paths.add(join(dirname(reportPath), result.outcomes.path));
    }
  }
  return [...paths];
}
