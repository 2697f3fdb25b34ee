import type { CommandModule } from "../command.js";
import { type CommandIO, ExitCode } from "../io.js";

export interface ImportHaluEvalCommandOptions {
  out: string;
  publisher?: string;
  json?: boolean;
}

/**
 * `candor import halueval FILE --out DIR`: imports HaluEval's human-labelled
 * ChatGPT responses as a report with hallucination.unsupported_claim_rate,
 * validates it, and prints the rate with its interval. Returns 1 when the
 * written report does not validate.
 */
export async function importHaluEvalCommand(
  file: string,
  options: ImportHaluEvalCommandOptions,
  io: CommandIO,
): Promise<number> {
  const { resolve } = await import("node:path");
  const { importHaluEval } = await import("../../suites/halueval/import.js");
  const { loadRegistry } = await import("../../spec/registry.js");
  const { validateReportFile } = await import("../../spec/validate.js");

  const registry = loadRegistry();
  const imported = importHaluEval({
    path: resolve(io.cwd, file),
    outDir: resolve(io.cwd, options.out),
    publisher: { name: options.publisher ?? "unknown", relationship: "third_party" },
    registry,
  });
  const validation = await validateReportFile(imported.reportPath, { registry });
  const problems = validation.problems.map(
    (problem) => `${problem.severity}: ${problem.message} (${problem.code})`,
  );

  if (options.json === true) {
    io.stdout(
      `${JSON.stringify(
        {
          report: imported.reportPath,
          samples: imported.samplesPath,
          format: imported.format,
          records: imported.records,
          metric: "hallucination.unsupported_claim_rate",
          value: imported.value,
          sample_size: imported.scored,
          numerator: imported.unsupported,
          unscored: imported.unscored,
          rekeyed: imported.rekeyed,
          interval: imported.interval,
          valid: validation.valid,
          problems,
        },
        null,
        2,
      )}\n`,
    );
  } else {
    const { lower, upper } = imported.interval;
    io.stdout(
      `wrote ${imported.reportPath} and ${imported.samplesPath} (${imported.records} records)\n`,
    );
    io.stdout(
      `  hallucination.unsupported_claim_rate ${imported.value.toFixed(4)}  95% CI [${lower.toFixed(4)}, ${upper.toFixed(4)}] (Wilson)  ${imported.unsupported}/${imported.scored}, ${imported.unscored} unscored\n`,
    );
    if (imported.rekeyed > 0) {
      io.stdout(`  ${imported.rekeyed} records had an empty or repeated ID and are keyed line-N\n`);
    }
    for (const problem of problems) {
      io.stderr(`report.json: ${problem}\n`);
    }
  }
  return validation.valid ? ExitCode.ok : ExitCode.failed;
}

export const importCommand: CommandModule = {
  register(program, context) {
    const command = program
      .command("import")
      .description(
        "Import recorded, human-labelled model outputs from a published data set as a report.",
      );
    command
      .command("halueval <file>")
      .description(
        "Import HaluEval's general_data.json (ChatGPT responses with human yes/no hallucination labels) as report.json and samples.jsonl with hallucination.unsupported_claim_rate.",
      )
      .requiredOption(
        "--out <dir>",
        "folder to write report.json and samples.jsonl into (created if missing)",
      )
      .option(
        "--publisher <name>",
        'who publishes the report (default: "unknown"); the relationship is always third_party',
      )
      .option("--json", "print a JSON summary on stdout instead of text")
      .action(async (file: string, options: ImportHaluEvalCommandOptions) => {
        await context.run(() => importHaluEvalCommand(file, options, context.io));
      });
  },
};
