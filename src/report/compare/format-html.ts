import { relative } from "node:path";
import { html, type Markup } from "../render/escape.js";
import { betterLabel, signatureBadgeClass, signatureLabel } from "../render/labels.js";
import { renderDocument } from "../render/layout.js";
import {
  formatBounds,
  formatCount,
  formatValue,
  statusLabel,
  statusMeaning,
  type Unit,
} from "../render/numbers.js";
import {
  baselineSentence,
  CLASS_LEGEND,
  pairSentence,
  reportLine,
  reportTitle,
  rowTitle,
  shownPairs,
} from "./text.js";
import type { Cell, Comparison } from "./types.js";

/** A comparison cell as HTML: the value with interval and n, or the status in the same place and weight. */
export function cellHtml(cell: Cell, unit: Unit): Markup {
  if (cell.state !== "reported") {
    return html`<span class="status status-${cell.state}" data-status="${cell.state}" title="${statusMeaning(cell.state)}">${statusLabel(cell.state, cell.reasonCode)}</span>`;
  }
  if (cell.value === undefined) {
    return html`<span class="value">no value</span>`;
  }
  return html`<span class="value" data-value="${cell.value}">${formatValue(cell.value, unit)}</span><div class="interval">${
    cell.interval === undefined
      ? "no interval"
      : formatBounds(cell.interval.lower, cell.interval.upper, unit)
  } · ${cell.sampleSize === undefined ? "n not stated" : `n=${formatCount(cell.sampleSize)}`}</div>`;
}

/** Renders a comparison as a self-contained HTML page. */
export function formatHtml(comparison: Comparison, cwd: string): string {
  const body = html`<h1>Candor comparison</h1>
<p class="subtitle">${baselineSentence(comparison)}</p>
<ul>${comparison.reports.map(
    (report) =>
      html`<li><strong>${report.letter}</strong>: ${reportLine(report)} <span class="badge ${signatureBadgeClass(report.signature)}">${signatureLabel(report.signature)}</span> <code>${relative(cwd, report.path) || report.path}</code></li>`,
  )}</ul>
<div class="scroll"><table class="compare">
<thead><tr><th>Metric</th>${comparison.reports.map((report) => html`<th>${report.letter}: ${reportTitle(report)}</th>`)}</tr></thead>
<tbody>${comparison.rows.map((row) => {
    const pairs = shownPairs(comparison, row);
    return html`<tr data-metric="${row.metric}" data-variant="${row.variant ?? ""}"><td><code>${rowTitle(row)}</code><div class="detail">${row.unknownMetric ? "not in the registry" : betterLabel(row.better)}</div></td>${row.cells.map(
      (cell) => html`<td>${cellHtml(cell, row.unit)}</td>`,
    )}</tr>${
      pairs.length === 0
        ? ""
        : html`<tr class="pairs"><td colspan="${comparison.reports.length + 1}"><ul>${pairs.map(
            (pair) =>
              html`<li data-class="${pair.comparability.class}">${pairSentence(comparison, row, pair)}</li>`,
          )}</ul></td></tr>`
    }`;
  })}</tbody></table></div>
<h2>Comparability</h2><ul>${CLASS_LEGEND.map((line) => html`<li>${line}</li>`)}</ul>`;
  return renderDocument({ title: "Candor comparison", body });
}
