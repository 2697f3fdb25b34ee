import { breakableId, html, type Markup } from "../render/escape.js";
import { signatureBadgeClass, signatureLabel } from "../render/labels.js";
import { renderDocument } from "../render/layout.js";
import { groupTag, matrixCell } from "./cells.js";
import type { SkippedFile } from "./collect.js";
import type { SiteModel } from "./model.js";

function reportsTable(model: SiteModel): Markup {
  return html`<table class="reports stack">
<thead><tr><th>Model</th><th>Developer</th><th>Publisher</th><th>Tier claimed / reached</th><th>Assurance</th><th>Signature</th><th>Validation</th></tr></thead>
<tbody>${model.reports.map(
    (entry) => html`<tr data-report="${entry.slug}">
<td data-label="Model"><a href="reports/${entry.slug}.html">${entry.title}</a><div class="detail">${entry.source}</div></td>
<td data-label="Developer">${entry.opened.report.model.developer}</td>
<td data-label="Publisher">${entry.opened.report.publisher.name}<div class="detail">${entry.opened.report.publisher.relationship.replace(/_/g, " ")}</div></td>
<td data-label="Tier claimed / reached">${entry.opened.report.claimed_tier ?? "none"} / ${entry.assessment.reachedTier === 0 ? "none" : entry.assessment.reachedTier}</td>
<td data-label="Assurance">${entry.assessment.assurance}</td>
<td data-label="Signature"><span class="badge ${signatureBadgeClass(entry.signature)}">${signatureLabel(entry.signature)}</span></td>
<td data-label="Validation">${entry.assessment.valid ? html`<span class="badge badge-ok">valid</span>` : html`<span class="badge badge-bad">INVALID</span>`}</td>
</tr>`,
  )}</tbody></table>`;
}

function matrix(model: SiteModel): Markup {
  return html`<div class="scroll"><table class="matrix">
<thead><tr><th>Metric</th>${model.reports.map(
    (entry) =>
      html`<th data-report="${entry.slug}"><a href="reports/${entry.slug}.html">${entry.title}</a><div class="detail">${entry.source}</div></th>`,
  )}</tr></thead>
<tbody>${model.metrics.map(
    (row) => html`<tr data-metric="${row.metric}" data-variant="${row.variant ?? ""}">
<th scope="row"><a href="metrics/${row.slug}.html"><code>${breakableId(row.metric)}</code></a>${row.variant === undefined ? "" : html`<div class="detail">variant ${row.variant}</div>`}</th>
${row.results.map(
  (result, index) =>
    html`<td data-report="${model.reports[index]?.slug ?? ""}" data-state="${result?.status ?? (row.missing[index] ? "missing" : "absent")}">${matrixCell(
      result,
      row.missing[index] ?? false,
      row.definition?.definition.unit,
      groupTag(row.groupOf[index], row.groups),
    )}</td>`,
)}</tr>`,
  )}</tbody></table></div>`;
}

/** Renders the site's index: the reports and the models × metrics matrix. */
export function renderIndexPage(model: SiteModel, skipped: readonly SkippedFile[]): string {
  const body = html`<h1>Candor reports</h1>
<p class="subtitle">${model.reports.length} behavioural reports under the Candor standard, side by side. Every metric a report's tier requires appears with a value or a disclosure status.</p>
<h2>Metrics × models</h2>
<p class="legend">Each value shows its interval and sample size. A number tag marks a comparability group within the row: values with the same tag are directly comparable (same metric version, suite digest and elicitation). A value without a tag is directly comparable with no other value in its row, for example because its protocol is not stated, so it must not be read against them. Statuses are shown as plainly as values: WITHHELD (reason code), NOT EVALUATED, NOT APPLICABLE, NOT DISCLOSED (the source is silent), MISSING (required by the claimed tier but absent), and — where the report does not cover the metric and need not.</p>
${matrix(model)}
<h2>Reports</h2>
${reportsTable(model)}
${
  skipped.length === 0
    ? ""
    : html`<h2>Files not shown</h2><ul>${skipped.map((file) => html`<li><code>${file.path}</code>: ${file.reason}</li>`)}</ul>`
}
<footer>Built by Candor. These pages load nothing from the network and run no script.</footer>`;
  return renderDocument({ title: "Candor reports", body });
}
