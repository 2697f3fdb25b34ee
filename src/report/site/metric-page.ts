import type { Result } from "../../spec/generated/report.js";
import { html, type Markup, raw } from "../render/escape.js";
import { betterLabel } from "../render/labels.js";
import { renderDocument } from "../render/layout.js";
import {
  describeInterval,
  formatBounds,
  formatCount,
  formatValue,
  statusMeaning,
} from "../render/numbers.js";
import { statusBadge } from "../render/result-row.js";
import { chooseZoomedDomain, intervalChart } from "../render/svg.js";
import { groupTag } from "./cells.js";
import type { SiteMetric, SiteModel, SiteReport } from "./model.js";

function title(row: SiteMetric): string {
  return row.variant === undefined ? row.metric : `${row.metric} (${row.variant})`;
}

function definitionSection(row: SiteMetric): Markup {
  const definition = row.definition;
  if (definition === undefined) {
    return html`<p class="note">This metric id is not in the registry, so its definition, unit and direction are unknown.</p>`;
  }
  const [low, high] = definition.definition.range;
  return html`<p>${definition.brief}</p>
<dl class="facts">
<dt>Definition</dt><dd>${definition.definition.text}</dd>
${definition.definition.numerator === undefined ? "" : html`<dt>Numerator</dt><dd>${definition.definition.numerator}</dd>`}
${definition.definition.denominator === undefined ? "" : html`<dt>Denominator</dt><dd>${definition.definition.denominator}</dd>`}
<dt>Unit</dt><dd>${definition.definition.unit.replace(/_/g, " ")}, range [${low ?? "−∞"}, ${high ?? "∞"}]</dd>
<dt>Direction</dt><dd>${betterLabel(definition.definition.better)}</dd>
<dt>Tier</dt><dd>${definition.tier}, ${definition.stability} (version ${definition.version})</dd>
</dl>
${
  definition.pitfalls.length === 0
    ? ""
    : html`<h2>Known pitfalls</h2><ul>${definition.pitfalls.map(
        (pitfall) =>
          html`<li>${pitfall.text}${pitfall.source === undefined ? "" : html` <span class="detail">(${pitfall.source})</span>`}</li>`,
      )}</ul>`
}`;
}

function protocolText(result: Result): string {
  const suite = result.protocol?.suite;
  if (suite !== undefined) {
    return `suite ${suite.id}@${suite.version}`;
  }
  if (result.citation !== undefined) {
    return `transcribed: ${result.citation.locator}`;
  }
  return "protocol not stated";
}

interface ForestLine {
  report: SiteReport;
  index: number;
  result?: Result;
}

/**
 * Renders the forest plot: one table row per report, each with its value and interval
 * drawn on one shared axis, and reports without a value listed in the same
 * table with their status. Rows are ordered by comparability group, then value.
 */
function forestPlot(row: SiteMetric, model: SiteModel): Markup {
  const unit = row.definition?.definition.unit;
  const lines: ForestLine[] = model.reports.map((report, index) => ({
    report,
    index,
    ...(row.results[index] === undefined ? {} : { result: row.results[index] }),
  }));
  const valued = lines.filter(
    (line) => line.result?.status === "reported" && line.result.value !== undefined,
  );
  const others = lines.filter(
    (line) => !valued.includes(line) && (line.result !== undefined || row.missing[line.index]),
  );
  valued.sort(
    (a, b) =>
      Number(row.groupOf[a.index]) - Number(row.groupOf[b.index]) ||
      (a.result?.value ?? 0) - (b.result?.value ?? 0),
  );

  const numbers = valued.flatMap((line) => [
    line.result?.value as number,
    ...(line.result?.interval === undefined
      ? []
      : [line.result.interval.lower, line.result.interval.upper]),
  ]);
  const domain = chooseZoomedDomain(row.definition?.definition.range, numbers);

  const valueRows = valued.map((line) => {
    const result = line.result as Result;
    const interval = result.interval;
    return html`<tr data-report="${line.report.slug}" data-state="reported">
<td data-label="Model"><a href="../reports/${line.report.slug}.html">${line.report.title}</a><div class="detail">${line.report.source}</div></td>
<td data-label="Group">${groupTag(row.groupOf[line.index], row.groups)}</td>
<td data-label="Value"><span class="value" data-value="${result.value}">${formatValue(result.value as number, unit)}</span><div class="interval"${
      interval === undefined
        ? ""
        : html` data-lower="${interval.lower}" data-upper="${interval.upper}"`
    }>${interval === undefined ? "no interval stated" : `${formatBounds(interval.lower, interval.upper, unit)} · ${describeInterval(interval)}`}</div></td>
<td data-label="Interval" class="chart-cell">${raw(
      intervalChart({
        value: result.value as number,
        ...(interval === undefined ? {} : { lower: interval.lower, upper: interval.upper }),
        domain,
        unit,
        title: `${line.report.title}: ${formatValue(result.value as number, unit)}`,
        axisLabels: "none",
      }),
    )}</td>
<td data-label="Sample">${result.sample_size === undefined ? "n not stated" : `n=${formatCount(result.sample_size)}`}</td>
<td data-label="Protocol">${protocolText(result)}</td>
</tr>`;
  });

  const statusRows = others.map((line) => {
    const state = line.result?.status ?? "missing";
    return html`<tr data-report="${line.report.slug}" data-state="${state}">
<td data-label="Model"><a href="../reports/${line.report.slug}.html">${line.report.title}</a><div class="detail">${line.report.source}</div></td>
<td data-label="Group"></td>
<td data-label="Value">${statusBadge(state, line.result?.reason?.code)}</td>
<td data-label="Interval" class="chart-cell detail">${statusMeaning(state)}${line.result?.reason === undefined ? "" : html` “${line.result.reason.text}”`}</td>
<td data-label="Sample"></td>
<td data-label="Protocol"></td>
</tr>`;
  });

  const axis = raw(
    intervalChart({ domain, unit, title: "scale of the values above", axisLabels: "ticks" }),
  );
  return html`<table class="forest stack">
<thead><tr><th>Model</th><th>Group</th><th>Value</th><th>Interval</th><th>Sample</th><th>Protocol</th></tr></thead>
<tbody>${valueRows}${valued.length === 0 ? "" : html`<tr class="axis-row"><td></td><td></td><td></td><td class="chart-cell">${axis}</td><td></td><td></td></tr>`}${statusRows}</tbody>
</table>`;
}

function groupsSection(row: SiteMetric, model: SiteModel): Markup {
  if (row.groups.length === 0) {
    return html`<p>No report gives a value for this metric.</p>`;
  }
  return html`<ul>${row.groups.map((group) => {
    const names = group.members.map((member) => model.reports[member]?.title ?? "?").join(", ");
    const first = row.results[group.members[0] as number];
    const elicitation = first?.protocol?.elicitation;
    return html`<li>${groupTag(group.label, row.groups)} ${names}: ${
      group.suite === undefined
        ? "no suite stated, so this value cannot be confirmed comparable with any other"
        : html`suite <code>${group.suite.id}@${group.suite.version}</code> <code>${group.suite.digest}</code>${
            elicitation === undefined
              ? ", elicitation not stated"
              : `, temperature ${elicitation.temperature ?? "not stated"}, max tokens ${elicitation.max_tokens ?? "not stated"}${
                  elicitation.reasoning === undefined ? "" : `, reasoning ${elicitation.reasoning}`
                }`
          }${group.members.length === 1 ? " (no other value is directly comparable)" : ""}`
    }</li>`;
  })}</ul>`;
}

/** Renders the page of one metric: its definition, a forest plot of every model, and the comparability groups. */
export function renderMetricPage(row: SiteMetric, model: SiteModel): string {
  const body = html`<nav class="crumbs"><a href="../index.html">All reports</a> › ${title(row)}</nav>
<h1><code>${title(row)}</code></h1>
${definitionSection(row)}
<h2>Every model</h2>
<p class="legend">Dots are values and whiskers their intervals, on one shared axis. Only values with the same group tag are directly comparable. Reports without a value are listed below them with their status.</p>
${forestPlot(row, model)}
<h2>Comparability groups</h2>
${groupsSection(row, model)}
<footer>Built by Candor. This page loads nothing from the network and runs no script.</footer>`;
  return renderDocument({ title: `${title(row)}: Candor`, body });
}
