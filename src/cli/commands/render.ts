import type { CommandModule } from "../command.js";
import { type CommandIO, ExitCode } from "../io.js";

export interface RenderOptions {
  output: string;
  key?: string;
  keys?: string;
}

/** Renders one report (bare or signed) as a self-contained HTML page. */
export async function render(
  reportPath: string,
  options: RenderOptions,
  io: CommandIO,
): Promise<number> {
  const { resolve } = await import("node:path");
  const { loadTrustedKeys } = await import("../../report/sign/load.js");
  const { openReport } = await import("../../report/open.js");
  const { loadRegistry } = await import("../../spec/registry.js");
  const { assessReport } = await import("../../report/render/assess.js");
  const { renderReportPage } = await import("../../report/render/report-page.js");
  const { writeOutputFile } = await import("../../report/site/write.js");

  const trustedKeys = await loadTrustedKeys({
    ...(options.key === undefined ? {} : { keyPath: resolve(io.cwd, options.key) }),
    ...(options.keys === undefined ? {} : { keysPath: resolve(io.cwd, options.keys) }),
  });
  const opened = await openReport(resolve(io.cwd, reportPath), { trustedKeys });
  const registry = loadRegistry();
  const assessment = await assessReport(opened, registry);
  const target = resolve(io.cwd, options.output);
  await writeOutputFile(target, renderReportPage(opened, { registry, assessment }));

  io.stderr(`wrote ${target}\n`);
  if (opened.envelope !== undefined && !opened.envelope.verified) {
    io.stderr(
      `candor: warning: the signature was not verified (${opened.envelope.reason}); the page says so\n`,
    );
  }
  if (!assessment.valid) {
    io.stderr(
      `candor: warning: ${reportPath} is not a valid report; the page lists its problems\n`,
    );
  }
  return ExitCode.ok;
}

export const renderCommand: CommandModule = {
  register(program, context) {
    program
      .command("render")
      .description(
        "Render one report as a self-contained HTML page (inline CSS and SVG, no script, no outside requests).",
      )
      .argument("<report>", "report file or signed envelope")
      .requiredOption("-o, --output <file>", "HTML file to write")
      .option("--key <file>", "public key (PEM) to check a signed envelope with")
      .option(
        "--keys <file>",
        "trusted-keys file (JSON list of {keyid, public_key, name}) to check a signed envelope with",
      )
      .action((report: string, options: RenderOptions) =>
        context.run(() => render(report, options, context.io)),
      );
  },
};
