import type { Result } from "../../spec/generated/report.js";
import { html, type Markup } from "../render/escape.js";
import { formatBounds, formatCount, formatValue, type Unit } from "../render/numbers.js";
import { statusBadge } from "../render/result-row.js";
import type { ComparabilityGroup } from "./groups.js";

/**
 * Tag naming a value's comparability group, shown only for groups of two or
 * more: a value without a tag is directly comparable with no other value of
 * its row. The title names what the group shares.
 */
export function groupTag(label: string | undefined, groups: readonly ComparabilityGroup[]): Markup {
  const group = groups.find((entry) => entry.label === label);
  if (group === undefined || group.members.length < 2 || group.suite === undefined) {
    return html``;
  }
  const title = `directly comparable with the other values tagged ${group.label}: suite ${group.suite.id}@${group.suite.version} ${group.suite.digest.slice(0, 19)}…, same elicitation`;
  return html`<span class="group" data-group="${group.label}" title="${title}">${group.label}</span>`;
}

/** Renders a compact cell of the site's matrix: value, interval and n with the group tag, or the status. */
export function matrixCell(
  result: Result | undefined,
  missing: boolean,
  unit: Unit,
  group: Markup,
): Markup {
  if (result === undefined) {
    return missing ? statusBadge("missing") : statusBadge("absent");
  }
  if (result.status !== "reported") {
    return statusBadge(result.status, result.reason?.code);
  }
  if (result.value === undefined) {
    return html`<span class="value">no value</span>`;
  }
  return html`<span class="cell-value value" data-value="${result.value}">${formatValue(result.value, unit)}</span>${group}<div class="interval">${
    result.interval === undefined
      ? "no interval"
      : formatBounds(result.interval.lower, result.interval.upper, unit)
  }</div><div class="interval">${result.sample_size === undefined ? "n not stated" : `n=${formatCount(result.sample_size)}`}</div>`;
}
