import { join } from "node:path";
import type { Registry } from "../../spec/registry.js";
import { assessReport } from "../render/assess.js";
import { renderReportPage } from "../render/report-page.js";
import type { TrustedKey } from "../sign/keys.js";
import { collectReports, type SkippedFile } from "./collect.js";
import { renderIndexPage } from "./index-page.js";
import { renderMetricPage } from "./metric-page.js";
import { buildSiteModel, type SiteModel } from "./model.js";
import { writeOutputFile } from "./write.js";

export interface SiteResult {
  model: SiteModel;
  skipped: SkippedFile[];
  /** Paths of the written pages, relative to the output folder. */
  pages: string[];
}

/**
 * Builds a static site from every report in a folder: index.html with the
 * models × metrics matrix, metrics/<id>.html with a forest plot per metric,
 * and reports/<id>.html per report. Pages link to each other with relative
 * links only, so the folder can be opened from disk or served from anywhere.
 */
export async function buildSite(options: {
  inputDir: string;
  outputDir: string;
  registry: Registry;
  trustedKeys?: readonly TrustedKey[];
}): Promise<SiteResult> {
  const { reports, skipped } = await collectReports(options.inputDir, options.trustedKeys ?? []);
  const entries = [];
  for (const opened of reports) {
    entries.push({ opened, assessment: await assessReport(opened, options.registry) });
  }
  const model = buildSiteModel(entries, options.registry);

  const pages: string[] = [];
  const write = async (relativePath: string, text: string): Promise<void> => {
    await writeOutputFile(join(options.outputDir, relativePath), text);
    pages.push(relativePath);
  };

  await write("index.html", renderIndexPage(model, skipped));
  for (const row of model.metrics) {
    await write(join("metrics", `${row.slug}.html`), renderMetricPage(row, model));
  }
  for (const entry of model.reports) {
    const page = renderReportPage(entry.opened, {
      registry: options.registry,
      assessment: entry.assessment,
      crumbs: [{ href: "../index.html", label: "All reports" }],
    });
    await write(join("reports", `${entry.slug}.html`), page);
  }
  return { model, skipped, pages };
}
