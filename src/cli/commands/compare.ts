import type { CommandModule } from "../command.js";
import { type CommandIO, ExitCode } from "../io.js";

const FORMATS = ["table", "md", "csv", "json", "html"] as const;
type Format = (typeof FORMATS)[number];

export interface CompareOptions {
  format?: string;
  output?: string;
  key?: string;
  keys?: string;
}

/** Compares reports metric by metric and prints or writes the comparison. */
export async function compare(
  paths: string[],
  options: CompareOptions,
  io: CommandIO,
): Promise<number> {
  const { resolve } = await import("node:path");
  const { UsageError } = await import("../../errors.js");
  const format = (options.format ?? "table") as Format;
  if (!FORMATS.includes(format)) {
    throw new UsageError(
      `unknown format ${JSON.stringify(options.format)}`,
      `Use one of: ${FORMATS.join(", ")}.`,
    );
  }
  if (paths.length === 0) {
    throw new UsageError("no report given", "Pass one or more report or envelope files.");
  }

  const { loadTrustedKeys } = await import("../../report/sign/load.js");
  const { openReport } = await import("../../report/open.js");
  const { loadRegistry } = await import("../../spec/registry.js");
  const { buildComparison } = await import("../../report/compare/build.js");
  const { fileOutcomeSource } = await import("../../report/compare/outcomes.js");

  const trustedKeys = await loadTrustedKeys({
    ...(options.key === undefined ? {} : { keyPath: resolve(io.cwd, options.key) }),
    ...(options.keys === undefined ? {} : { keysPath: resolve(io.cwd, options.keys) }),
  });
  const reports = [];
  for (const path of paths) {
    reports.push(await openReport(resolve(io.cwd, path), { trustedKeys }));
  }
  const comparison = await buildComparison(reports, {
    registry: loadRegistry(),
    outcomes: fileOutcomeSource(),
  });

  let text: string;
  switch (format) {
    case "table": {
      const { formatTable } = await import("../../report/compare/format-table.js");
      text = formatTable(comparison, io.cwd);
      break;
    }
    case "md": {
      const { formatMarkdown } = await import("../../report/compare/format-text.js");
      text = formatMarkdown(comparison, io.cwd);
      break;
    }
    case "csv": {
      const { formatCsv } = await import("../../report/compare/format-text.js");
      text = formatCsv(comparison);
      break;
    }
    case "json": {
      const { formatJson } = await import("../../report/compare/format-text.js");
      text = formatJson(comparison, io.cwd);
      break;
    }
    case "html": {
      const { formatHtml } = await import("../../report/compare/format-html.js");
      text = formatHtml(comparison, io.cwd);
      break;
    }
  }

  if (options.output === undefined) {
    io.stdout(text);
  } else {
    const { writeOutputFile } = await import("../../report/site/write.js");
    const target = resolve(io.cwd, options.output);
    await writeOutputFile(target, text);
    io.stderr(`wrote ${target}\n`);
  }
  return ExitCode.ok;
}

export const compareCommand: CommandModule = {
  register(program, context) {
    program
      .command("compare")
      .description(
        "Put reports side by side: one row per metric, one column per report, the comparability class of every pair of values, and differences with 95% intervals where the values are directly comparable proportions.",
      )
      .argument(
        "<reports...>",
        "report files or signed envelopes; the first is the baseline when there are more than two",
      )
      .option("-f, --format <format>", `output format: ${FORMATS.join(", ")}`, "table")
      .option("-o, --output <file>", "write to this file instead of standard output")
      .option("--key <file>", "public key (PEM) to check signed envelopes with")
      .option(
        "--keys <file>",
        "trusted-keys file (JSON list of {keyid, public_key, name}) to check signed envelopes with",
      )
      .action((reports: string[], options: CompareOptions) =>
        context.run(() => compare(reports, options, context.io)),
      );
  },
};
