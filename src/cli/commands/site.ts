import type { CommandModule } from "../command.js";
import { type CommandIO, ExitCode } from "../io.js";
import { compareCommand } from "./compare.js";
import { keygenCommand } from "./keygen.js";
import { renderCommand } from "./render.js";
import { signCommand } from "./sign.js";
import { verifyCommand } from "./verify.js";

export interface SiteOptions {
  output: string;
  key?: string;
  keys?: string;
  json?: boolean;
}

/**
 * Builds the static site for a folder of reports. Exit 1 when some file in
 * the folder could not be read as a report (the site is still written and
 * lists it), 0 otherwise.
 */
export async function site(inputDir: string, options: SiteOptions, io: CommandIO): Promise<number> {
  const { resolve } = await import("node:path");
  const { UsageError } = await import("../../errors.js");
  const { loadTrustedKeys } = await import("../../report/sign/load.js");
  const { loadRegistry } = await import("../../spec/registry.js");
  const { buildSite } = await import("../../report/site/build.js");

  const input = resolve(io.cwd, inputDir);
  const output = resolve(io.cwd, options.output);
  if (output === input) {
    throw new UsageError(
      "the output folder is the input folder",
      "Write the site to a separate folder, for example -o site.",
    );
  }
  const trustedKeys = await loadTrustedKeys({
    ...(options.key === undefined ? {} : { keyPath: resolve(io.cwd, options.key) }),
    ...(options.keys === undefined ? {} : { keysPath: resolve(io.cwd, options.keys) }),
  });
  const result = await buildSite({
    inputDir: input,
    outputDir: output,
    registry: loadRegistry(),
    trustedKeys,
  });

  if (options.json === true) {
    io.stdout(
      `${JSON.stringify({ output, reports: result.model.reports.length, metrics: result.model.metrics.length, pages: result.pages, skipped: result.skipped }, null, 2)}\n`,
    );
  } else {
    io.stdout(
      `wrote ${result.pages.length} pages for ${result.model.reports.length} reports and ${result.model.metrics.length} metrics to ${output}\nopen ${resolve(output, "index.html")}\n`,
    );
  }
  for (const file of result.skipped) {
    io.stderr(`candor: skipped ${file.path}: ${file.reason}\n`);
  }
  if (result.model.reports.length === 0) {
    io.stderr(`candor: no report found in ${input}\n`);
    return ExitCode.failed;
  }
  return result.skipped.length === 0 ? ExitCode.ok : ExitCode.failed;
}

export const siteCommand: CommandModule = {
  register(program, context) {
    program
      .command("site")
      .description(
        "Build a static HTML site from a folder of reports: a models × metrics matrix, a forest plot per metric and a page per report.",
      )
      .argument(
        "<dir>",
        "folder searched for report files and signed envelopes (*.json, up to 4 levels deep)",
      )
      .requiredOption("-o, --output <dir>", "folder to write the site to (created if missing)")
      .option("--key <file>", "public key (PEM) to check signed envelopes with")
      .option(
        "--keys <file>",
        "trusted-keys file (JSON list of {keyid, public_key, name}) to check signed envelopes with",
      )
      .option("--json", "print the pages written and the files skipped as JSON")
      .action((dir: string, options: SiteOptions) =>
        context.run(() => site(dir, options, context.io)),
      );
  },
};

/** The signing, comparison and publishing commands, in the order `candor --help` lists them. */
export const reportCommands: CommandModule[] = [
  keygenCommand,
  signCommand,
  verifyCommand,
  compareCommand,
  renderCommand,
  siteCommand,
];
