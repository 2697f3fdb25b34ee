import type { Report } from "../../spec/generated/report.js";
import type { Registry } from "../../spec/registry.js";
import { metricOrder, signatureStatus } from "../compare/build.js";
import type { OpenedReport } from "../open.js";
import type { ReportAssessment } from "./assessment.js";
import { html, linkOrText, type Markup } from "./escape.js";
import { accessLabel, relationshipLabel, signatureBadgeClass, signatureLabel } from "./labels.js";
import { renderDocument } from "./layout.js";
import { resultDetails } from "./result-details.js";
import { type ResultEntry, resultRow } from "./result-row.js";

export interface ReportPageOptions {
  registry?: Registry;
  assessment?: ReportAssessment;
  /** Breadcrumb links shown above the title, for pages inside a site; hrefs are relative. */
  crumbs?: { href: string; label: string }[];
}

/** Anchors are built from the entry's position, so no report string reaches an id attribute unescaped or twice. */
function resultEntries(report: Report, registry: Registry | undefined): ResultEntry[] {
  const entries: ResultEntry[] = report.results.map((result, index) => ({
    metric: result.metric,
    ...(result.variant === undefined ? {} : { variant: result.variant }),
    result,
    ...(registry?.get(result.metric) === undefined
      ? {}
      : { definition: registry.get(result.metric) }),
    anchor: `result-${index + 1}`,
  }));
  const required = registry?.requiredForTier(report.claimed_tier) ?? [];
  for (const metric of required) {
    if (!report.results.some((result) => result.metric === metric.id)) {
      entries.push({
        metric: metric.id,
        definition: metric,
        anchor: `missing-${entries.length + 1}`,
      });
    }
  }

  const order = metricOrder(registry);
  return entries.sort((a, b) => {
    const rank =
      (order.get(a.metric) ?? Number.MAX_SAFE_INTEGER) -
      (order.get(b.metric) ?? Number.MAX_SAFE_INTEGER);
    if (rank !== 0) return rank;
    if (a.metric !== b.metric) return a.metric.localeCompare(b.metric);
    if (a.variant === undefined) return -1;
    if (b.variant === undefined) return 1;
    return a.variant.localeCompare(b.variant);
  });
}

function modelTitle(report: Report): string {
  return report.model.version === undefined
    ? report.model.name
    : `${report.model.name} ${report.model.version}`;
}

function summary(opened: OpenedReport, assessment: ReportAssessment | undefined): Markup {
  const { report } = opened;
  const signature = signatureStatus(opened);
  const reached =
    assessment === undefined
      ? "not computed"
      : assessment.reachedTier === 0
        ? "none"
        : `tier ${assessment.reachedTier}`;
  return html`<dl class="summary">
<div><dt>Publisher</dt><dd data-field="publisher">${linkOrText(report.publisher.url, report.publisher.name)}</dd><dd class="detail" data-field="relationship">${relationshipLabel(report.publisher.relationship)}</dd></div>
<div><dt>Tier</dt><dd data-field="tier">claimed ${report.claimed_tier ?? "none"} · reached ${reached}</dd>${
    assessment !== undefined && assessment.reachedTier < (report.claimed_tier ?? 0)
      ? html`<dd class="detail">a tier is reached when every stable metric of it and the tiers below is reported with a value</dd>`
      : ""
  }</div>
<div><dt>Assurance</dt><dd data-field="assurance">${assessment?.assurance ?? "not computed"}</dd></div>
<div><dt>Signature</dt><dd data-field="signature"><span class="badge ${signatureBadgeClass(signature)}" data-signature="${signature.state}">${signatureLabel(signature)}</span></dd></div>
<div><dt>Validation</dt><dd data-field="validation">${
    assessment === undefined
      ? "not checked"
      : assessment.valid
        ? html`<span class="badge badge-ok">valid</span>`
        : html`<span class="badge badge-bad">INVALID</span> <a href="#problems">${assessment.problems.filter((problem) => problem.severity === "error").length} problems</a>`
  }</dd></div>
</dl>`;
}

function modelFacts(report: Report): Markup {
  const model = report.model;
  return html`<dl class="facts">
<dt>Developer</dt><dd>${model.developer}</dd>
<dt>Access</dt><dd>${accessLabel(model.access)}</dd>
${model.weights_digest === undefined ? "" : html`<dt>Weights digest</dt><dd><code>${model.weights_digest}</code></dd>`}
${model.endpoint === undefined ? "" : html`<dt>Endpoint</dt><dd><code>${model.endpoint}</code></dd>`}
${model.release_date === undefined ? "" : html`<dt>Released</dt><dd>${model.release_date}</dd>`}
<dt>Report id</dt><dd><code>${report.report_id}</code></dd>
<dt>Created</dt><dd>${report.created}</dd>
<dt>Standard</dt><dd>Candor ${report.candor_version}</dd>
</dl>`;
}

function problemsSection(assessment: ReportAssessment | undefined): Markup {
  if (assessment === undefined || assessment.problems.length === 0) {
    return html``;
  }
  return html`<h2 id="problems">Validation problems</h2><ul class="problems">${assessment.problems.map(
    (problem) =>
      html`<li><strong>${problem.severity}</strong> <code>${problem.code}</code> at <code>${problem.pointer || "/"}</code>: ${problem.message}</li>`,
  )}</ul>`;
}

function documentsSection(report: Report): Markup {
  const documents = report.documents ?? [];
  if (documents.length === 0) {
    return html``;
  }
  return html`<h2>Documents cited</h2><ul>${documents.map(
    (document) =>
      html`<li id="document-${documents.indexOf(document) + 1}">${linkOrText(document.url, document.title)}, ${document.author}${
        document.date === undefined ? "" : `, ${document.date}`
      }${document.revision === undefined ? "" : ` (${document.revision})`}${
        document.digest === undefined ? "" : html` <code>${document.digest}</code>`
      }</li>`,
  )}</ul>`;
}

function runSection(report: Report): Markup {
  const run = report.run;
  if (run === undefined) {
    return html``;
  }
  const rows: [string, string | number | undefined][] = [
    ["Tool", run.tool],
    ["Started", run.started],
    ["Finished", run.finished],
    ["Concurrency", run.concurrency],
    ["Max attempts", run.max_attempts],
    [
      "Request timeout",
      run.request_timeout_seconds === undefined ? undefined : `${run.request_timeout_seconds} s`,
    ],
    ["Retries", run.retries],
    ["Samples ended in error", run.errors],
  ];
  return html`<h2>Run</h2><dl class="facts">${rows
    .filter(([, value]) => value !== undefined)
    .map(([label, value]) => html`<dt>${label}</dt><dd>${value}</dd>`)}</dl>`;
}

/** Renders the body of a report page, shared by `candor render` and the site's report pages. */
export function renderReportBody(opened: OpenedReport, options: ReportPageOptions = {}): Markup {
  const { report } = opened;
  const entries = resultEntries(report, options.registry);
  const crumbs = options.crumbs ?? [];
  return html`${
    crumbs.length === 0
      ? ""
      : html`<nav class="crumbs">${crumbs.map((crumb, index) => html`${index === 0 ? "" : " › "}<a href="${crumb.href}">${crumb.label}</a>`)}</nav>`
  }
<h1 data-field="model">${modelTitle(report)}</h1>
<p class="subtitle">Behavioural report by ${report.publisher.name} under the Candor standard</p>
${summary(opened, options.assessment)}
${modelFacts(report)}
${report.notes === undefined ? "" : html`<p class="note">${report.notes}</p>`}
<h2>Results</h2>
<p class="legend">Every metric appears once with a value or a disclosure status. Statuses are shown in the value column, as plainly as numbers: WITHHELD (the publisher declines to publish), NOT EVALUATED, NOT APPLICABLE, NOT DISCLOSED (the source is silent), MISSING (required by the claimed tier but absent).</p>
<table class="results stack">
<thead><tr><th>Metric</th><th>Value or status</th><th>Interval</th><th>Sample</th><th>Source</th></tr></thead>
<tbody>${entries.map((entry) => resultRow(report, entry))}</tbody>
</table>
<h2>Details</h2>
${entries.map((entry) => resultDetails(report, entry))}
${documentsSection(report)}
${runSection(report)}
${problemsSection(options.assessment)}
<footer>Rendered by Candor from <code>${opened.envelope === undefined ? "a bare report" : `a signed envelope (${opened.envelope.payloadType})`}</code>. This page loads nothing from the network and runs no script.</footer>`;
}

/** Renders one report as a complete self-contained HTML page. */
export function renderReportPage(opened: OpenedReport, options: ReportPageOptions = {}): string {
  return renderDocument({
    title: `${modelTitle(opened.report)}: Candor report`,
    body: renderReportBody(opened, options),
  });
}
