import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildComparison } from "../../../src/report/compare/build.js";
import { formatHtml } from "../../../src/report/compare/format-html.js";
import { formatTable } from "../../../src/report/compare/format-table.js";
import { formatCsv, formatJson, formatMarkdown } from "../../../src/report/compare/format-text.js";
import { fileOutcomeSource } from "../../../src/report/compare/outcomes.js";
import { openReport } from "../../../src/report/open.js";
import { assessReport } from "../../../src/report/render/assess.js";
import { renderReportPage } from "../../../src/report/render/report-page.js";
import { renderIndexPage } from "../../../src/report/site/index-page.js";
import { renderMetricPage } from "../../../src/report/site/metric-page.js";
import { buildSiteModel } from "../../../src/report/site/model.js";
import { loadRegistry } from "../../../src/spec/registry.js";

const FIXTURES = join(import.meta.dirname, "..", "..", "fixtures", "reports");
const registry = loadRegistry();
const scratch = mkdtempSync(join(tmpdir(), "candor-invalid-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// biome-ignore lint/suspicious/noExplicitAny: the tests edit reports into shapes the schema rejects.
type Draft = Record<string, any>;

function fixture(name: string): Draft {
  return JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), "utf8"));
}

function write(name: string, report: Draft): string {
  const path = join(scratch, `${name}.json`);
  writeFileSync(path, JSON.stringify(report));
  return path;
}

/** Renders the report page, every compare format and the site pages for one file. */
async function readEverywhere(path: string): Promise<string> {
  const opened = await openReport(path);
  const assessment = await assessReport(opened, registry);
  const page = renderReportPage(opened, { registry, assessment });

  const other = await openReport(join(FIXTURES, "measured-b.json"));
  const comparison = await buildComparison([opened, other], {
    registry,
    outcomes: fileOutcomeSource(),
  });
  formatTable(comparison, scratch);
  formatMarkdown(comparison, scratch);
  formatCsv(comparison);
  formatJson(comparison, scratch);
  formatHtml(comparison, scratch);

  const model = buildSiteModel(
    [
      { opened, assessment },
      { opened: other, assessment: await assessReport(other, registry) },
    ],
    registry,
  );
  renderIndexPage(model, []);
  for (const row of model.metrics) {
    renderMetricPage(row, model);
  }
  return page;
}

// Each edit once made render, compare or site throw a TypeError (exit 70).
const EDITS: [string, (report: Draft) => void][] = [
  [
    "breakdown groups that are a number",
    (report) => {
      report.results[0].breakdowns[0].groups = 5;
    },
  ],
  [
    "a null breakdown group interval",
    (report) => {
      report.results[0].breakdowns[0].groups[0].interval = null;
    },
  ],
  [
    "a null scorer",
    (report) => {
      report.results[0].protocol.scorer = null;
    },
  ],
  [
    "a numeric scorer kind",
    (report) => {
      report.results[0].protocol.scorer.kind = 5;
    },
  ],
  [
    "a numeric suite digest",
    (report) => {
      report.results[0].protocol.suite.digest = 5;
    },
  ],
  [
    "null elicitation",
    (report) => {
      report.results[0].protocol.elicitation = null;
    },
  ],
  [
    "tools that are a number",
    (report) => {
      report.results[0].protocol.elicitation = { tools: 5 };
    },
  ],
  [
    "a null interval",
    (report) => {
      report.results[0].interval = null;
    },
  ],
  [
    "null outcomes",
    (report) => {
      report.results[0].outcomes = null;
    },
  ],
  [
    "documents that are a number",
    (report) => {
      report.documents = 5;
      report.results[0].citation = { document: "card", locator: "p. 3" };
    },
  ],
  [
    "a null document",
    (report) => {
      report.documents = [null];
      report.results[0].citation = { document: "card", locator: "p. 3" };
    },
  ],
  [
    "a null citation",
    (report) => {
      report.results[0].citation = null;
    },
  ],
  [
    "a numeric variant",
    (report) => {
      report.results[1].variant = 5;
      report.results.push({ ...report.results[1], variant: "other" });
    },
  ],
  [
    "a null withheld reason",
    (report) => {
      report.results[2].status = "withheld";
      report.results[2].reason = null;
    },
  ],
  [
    "a null run",
    (report) => {
      report.run = null;
    },
  ],
  [
    "no claimed tier",
    (report) => {
      delete report.claimed_tier;
    },
  ],
];

describe("readers of invalid reports", () => {
  for (const [name, edit] of EDITS) {
    it(`show a report with ${name}`, async () => {
      const report = fixture("measured-a");
      edit(report);
      const path = write(name.replace(/\W+/g, "-"), report);
      const page = await readEverywhere(path);
      expect(page).toContain("INVALID");
    });
  }

  it("say no tier is claimed when the claim is missing", async () => {
    const report = fixture("measured-a");
    delete report.claimed_tier;
    const page = await readEverywhere(write("no-tier", report));
    expect(page).toContain("claimed none");
  });

  it("keep the problems of the report as written", async () => {
    const report = fixture("measured-a");
    report.results[0].protocol.scorer.kind = 5;
    const opened = await openReport(write("kept-problems", report));
    expect(opened.report.results[0]?.protocol?.scorer).toBeUndefined();
    const assessment = await assessReport(opened, registry);
    expect(assessment.problems.map((problem) => problem.pointer)).toContain(
      "/results/0/protocol/scorer/kind",
    );
  });
});

describe("openReport on reports without a name", () => {
  const refusals: [string, (report: Draft) => void, string][] = [
    [
      "a numeric model name",
      (report) => {
        report.model.name = 5;
      },
      "the report has no valid model.name",
    ],
    [
      "no publisher name",
      (report) => {
        delete report.publisher.name;
      },
      "the report has no valid publisher.name",
    ],
    [
      "a null report id",
      (report) => {
        report.report_id = null;
      },
      "the report has no valid report_id",
    ],
    [
      "a numeric relationship",
      (report) => {
        report.publisher.relationship = 5;
      },
      "the report has no valid publisher.relationship",
    ],
    [
      "an unknown status",
      (report) => {
        report.results[0].status = "maybe";
      },
      "results[0] has no valid status",
    ],
  ];
  for (const [name, edit, message] of refusals) {
    it(`refuses ${name} with exit code 1`, async () => {
      const report = fixture("measured-a");
      edit(report);
      const path = write(name.replace(/\W+/g, "-"), report);
      await expect(openReport(path)).rejects.toMatchObject({
        code: "report.shape",
        exitCode: 1,
        message: expect.stringContaining(message),
      });
    });
  }
});
