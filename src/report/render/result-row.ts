import type { Report, Result } from "../../spec/generated/report.js";
import type { RegistryMetric } from "../../spec/registry.js";
import { breakableId, html, type Markup, raw } from "./escape.js";
import { betterLabel } from "./labels.js";
import {
  describeInterval,
  formatBounds,
  formatCount,
  formatValue,
  statusLabel,
  statusMeaning,
  type Unit,
} from "./numbers.js";
import { chooseZoomedDomain, intervalChart } from "./svg.js";

/** A result to show, or a required metric the report leaves out. */
export interface ResultEntry {
  metric: string;
  variant?: string;
  result?: Result;
  definition?: RegistryMetric;
  /** Anchor of the entry's details section. */
  anchor: string;
}

export function entryTitle(entry: Pick<ResultEntry, "metric" | "variant">): string {
  return entry.variant === undefined ? entry.metric : `${entry.metric} (${entry.variant})`;
}

/** Renders a status badge whose class and data attribute name the status, for styles and tests. */
export function statusBadge(
  status: Parameters<typeof statusLabel>[0],
  reasonCode?: Parameters<typeof statusLabel>[1],
): Markup {
  return html`<span class="status status-${status}" data-status="${status}" title="${statusMeaning(status)}">${statusLabel(status, reasonCode)}</span>`;
}

/**
 * Renders the value cell of a result: the number with its interval, or the
 * disclosure status at the same size and weight as a number would have.
 */
export function valueCell(result: Result | undefined, unit: Unit): Markup {
  if (result === undefined) {
    return statusBadge("missing");
  }
  if (result.status !== "reported") {
    return html`${statusBadge(result.status, result.reason?.code)}${
      result.reason === undefined ? "" : html`<div class="detail">${result.reason.text}</div>`
    }`;
  }
  if (result.value === undefined) {
    return html`<span class="value" data-value="">no value</span>`;
  }
  const interval = result.interval;
  return html`<span class="value" data-value="${result.value}">${formatValue(result.value, unit)}</span>${
    interval === undefined
      ? html`<div class="interval">no interval stated</div>`
      : html`<div class="interval" data-lower="${interval.lower}" data-upper="${interval.upper}">${formatBounds(interval.lower, interval.upper, unit)} · ${describeInterval(interval)}</div>`
  }${
    result.citation?.as_printed === undefined
      ? ""
      : html`<div class="detail">printed as “${result.citation.as_printed}”</div>`
  }`;
}

export function sampleCell(result: Result | undefined): Markup {
  if (result?.status !== "reported") {
    return html``;
  }
  if (result.sample_size === undefined) {
    return html`<span class="detail">n not stated</span>`;
  }
  const parts = [`n = ${formatCount(result.sample_size)}`];
  if (result.numerator !== undefined) {
    parts.push(`${formatCount(result.numerator)} counted`);
  }
  if (result.clusters !== undefined && result.clusters !== result.sample_size) {
    parts.push(`${formatCount(result.clusters)} clusters`);
  }
  if (result.epochs !== undefined && result.epochs > 1) {
    parts.push(`${result.epochs} epochs`);
  }
  if (result.unscored !== undefined && result.unscored > 0) {
    parts.push(`${formatCount(result.unscored)} unscored`);
  }
  const [first, ...rest] = parts;
  return html`<span data-sample-size="${result.sample_size}">${first}</span>${rest.map((part) => html`<div class="aside">${part}</div>`)}`;
}

export function chartCell(
  result: Result | undefined,
  definition: RegistryMetric | undefined,
  title: string,
): Markup {
  if (result?.status !== "reported" || result.value === undefined) {
    return html``;
  }
  const bounds =
    result.interval === undefined ? [] : [result.interval.lower, result.interval.upper];
  const domain = chooseZoomedDomain(definition?.definition.range, [result.value, ...bounds]);
  return raw(
    intervalChart({
      value: result.value,
      ...(result.interval === undefined
        ? {}
        : { lower: result.interval.lower, upper: result.interval.upper }),
      domain,
      unit: definition?.definition.unit,
      title,
    }),
  );
}

/** Says where a number comes from in a few words: the suite, or the document it was copied from. */
export function sourceCell(report: Report, result: Result | undefined): Markup {
  if (result === undefined) {
    return html`<span class="detail">required by tier ${report.claimed_tier}</span>`;
  }
  const parts: Markup[] = [];
  const suite = result.protocol?.suite;
  if (suite !== undefined) {
    parts.push(
      html`<div>suite <code>${suite.id}</code></div><div class="detail">version ${suite.version}</div>`,
    );
  }
  if (result.citation !== undefined) {
    const document = report.documents?.find((entry) => entry.id === result.citation?.document);
    parts.push(
      html`<div>${document?.title ?? result.citation.document}, ${result.citation.locator}</div>`,
    );
  }
  if (result.status === "reported" && suite === undefined && result.citation === undefined) {
    parts.push(html`<div class="detail">no suite or citation stated</div>`);
  }
  return html`${parts}`;
}

/** Renders one row of the results table. */
export function resultRow(report: Report, entry: ResultEntry): Markup {
  const unit = entry.definition?.definition.unit;
  const title = entryTitle(entry);
  const state = entry.result?.status ?? "missing";
  return html`<tr data-metric="${entry.metric}" data-variant="${entry.variant ?? ""}" data-state="${state}">
<td data-label="Metric"><a href="#${entry.anchor}"><code>${breakableId(entry.metric)}</code></a>${
    entry.variant === undefined ? "" : html` <span class="detail">variant ${entry.variant}</span>`
  }${entry.definition === undefined ? html`<div class="detail">not in the registry</div>` : html`<div class="detail">${entry.definition.brief} (${betterLabel(entry.definition.definition.better)})</div>`}</td>
<td data-label="Value">${valueCell(entry.result, unit)}</td>
<td data-label="Interval" class="chart-cell">${chartCell(entry.result, entry.definition, `${title}: value and interval`)}</td>
<td data-label="Sample">${sampleCell(entry.result)}</td>
<td data-label="Source">${sourceCell(report, entry.result)}</td>
</tr>`;
}
