import type { ComparabilityClass } from "../../spec/comparability.js";
import { relationshipLabel, signatureLabel } from "../render/labels.js";
import {
  formatBounds,
  formatCount,
  formatDifference,
  formatDifferenceBounds,
  formatValue,
  statusLabel,
  type Unit,
} from "../render/numbers.js";
import type { Cell, ComparedReport, Comparison, PairComparison, Row } from "./types.js";

/**
 * Makes an untrusted string safe to print on a terminal: control characters
 * (which include ANSI escape sequences and line breaks) and bidirectional
 * overrides, which can reorder what is displayed, become U+FFFD.
 */
export function terminalText(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the purpose
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, "\ufffd");
}

/** Words for a comparability class; the two that forbid reading a difference are in capitals. */
export function classLabel(value: ComparabilityClass): string {
  switch (value) {
    case "direct":
      return "directly comparable";
    case "same_suite_different_elicitation":
      return "SAME SUITE, DIFFERENT ELICITATION";
    case "not_comparable":
      return "NOT COMPARABLE";
  }
}

export function rowTitle(row: Row): string {
  return row.variant === undefined ? row.metric : `${row.metric} (${row.variant})`;
}

export function reportTitle(report: ComparedReport): string {
  return report.modelVersion === undefined
    ? report.modelName
    : `${report.modelName} ${report.modelVersion}`;
}

/** Words for a claimed tier; undefined when the report's claim is missing or invalid. */
function claimText(tier: number | undefined): string {
  return tier === undefined ? "no valid tier claimed" : `tier ${tier} claimed`;
}

/** Formats one line describing a report column: model, publisher, relationship, tier and signature. */
export function reportLine(report: ComparedReport): string {
  const relationship = relationshipLabel(report.relationship).split(":")[0];
  if (report.document !== undefined) {
    return `${reportTitle(report)} (${report.developer}) · ${relationship} (${report.document}) by ${report.publisherName} · ${claimText(report.claimedTier)} · ${signatureLabel(report.signature)}`;
  }
  return `${reportTitle(report)} (${report.developer}) · ${report.publisherName}, ${relationship} · ${claimText(report.claimedTier)} · ${signatureLabel(report.signature)}`;
}

/** Formats a cell as short lines: value, interval and sample size, or the status with its reason code. */
export function cellLines(cell: Cell, unit: Unit): string[] {
  if (cell.state !== "reported") {
    return [statusLabel(cell.state, cell.reasonCode)];
  }
  if (cell.value === undefined) {
    return ["no value"];
  }
  const lines = [formatValue(cell.value, unit)];
  lines.push(
    cell.interval === undefined
      ? "no interval"
      : formatBounds(cell.interval.lower, cell.interval.upper, unit),
  );
  lines.push(cell.sampleSize === undefined ? "n not stated" : `n=${formatCount(cell.sampleSize)}`);
  return lines;
}

/** Formats a cell on one line, for Markdown and CSV. */
export function cellText(cell: Cell, unit: Unit): string {
  return cellLines(cell, unit).join(" ");
}

/** Selects the pairs a table shows: every pair for two reports, otherwise each report against the first. */
export function shownPairs(comparison: Comparison, row: Row): PairComparison[] {
  return row.pairs.filter(
    (pair) =>
      (comparison.reports.length <= 2 || pair.first === 0) &&
      row.cells[pair.first]?.state === "reported" &&
      row.cells[pair.second]?.state === "reported",
  );
}

/**
 * One sentence for a pair: its class, then either the difference with its
 * interval and whether it excludes zero, or the reasons the numbers must not
 * be read against each other.
 */
export function pairSentence(comparison: Comparison, row: Row, pair: PairComparison): string {
  const first = comparison.reports[pair.first]?.letter ?? "?";
  const second = comparison.reports[pair.second]?.letter ?? "?";
  const head = `${second} vs ${first}: ${classLabel(pair.comparability.class)}`;
  const parts: string[] = [];
  if (pair.comparability.class !== "direct") {
    parts.push(pair.comparability.reasons.join("; "));
  }
  const difference = pair.difference;
  if (difference !== undefined) {
    const method =
      difference.method === "paired"
        ? `paired over ${formatCount(difference.pairedItems ?? 0)} items, ${difference.pairedInterval === "tango" ? "Tango score interval" : `${difference.pairedInterval ?? "paired"} interval`}`
        : "Newcombe";
    const level = `${Math.round(difference.level * 100)}%`;
    const verdict = difference.distinguishable
      ? "distinguishable from zero"
      : "NOT distinguishable from zero";
    let text = `difference ${formatDifference(difference.estimate, row.unit)} ${formatDifferenceBounds(difference.lower, difference.upper, row.unit)} (${level}, ${method}), ${verdict}`;
    if (difference.test !== undefined) {
      text += `; McNemar exact p=${difference.test.pValue.toPrecision(2)}`;
    }
    parts.push(text);
  } else if (pair.differenceNote !== undefined) {
    parts.push(pair.differenceNote);
  }
  if (pair.comparability.cautions.length > 0) {
    parts.push(`caution: ${pair.comparability.cautions.join("; ")}`);
  }
  return parts.length === 0 ? head : `${head}: ${parts.join(". ")}`;
}

/** Meaning of each comparability class, printed under every comparison. */
export const CLASS_LEGEND = [
  "directly comparable: same metric version, suite digest and elicitation settings.",
  "SAME SUITE, DIFFERENT ELICITATION: same items, but the model was prompted or sampled differently, or the settings are not stated.",
  "NOT COMPARABLE: different metric version or suite, or a suite that is not stated (as with values transcribed from documents), so equality cannot be confirmed.",
];

export function baselineSentence(comparison: Comparison): string {
  const level = `${Math.round(comparison.level * 100)}%`;
  if (comparison.reports.length <= 2) {
    return `Differences are B minus A, with ${level} intervals.`;
  }
  return `Each report is compared with A, the baseline: differences are the report minus A, with ${level} intervals.`;
}
