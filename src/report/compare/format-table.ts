import { relative } from "node:path";
import { betterLabel } from "../render/labels.js";
import {
  baselineSentence,
  CLASS_LEGEND,
  cellLines,
  pairSentence,
  reportLine,
  shownPairs,
  terminalText,
} from "./text.js";
import type { Comparison, Row } from "./types.js";

/** Terminal width the table is laid out for. */
export const TABLE_WIDTH = 100;
const METRIC_WIDTH = 26;
const CELL_WIDTH = 21;
const SEPARATOR = " │ ";
/** Report columns per band besides the baseline, so a band fits TABLE_WIDTH. */
const OTHERS_PER_BAND =
  Math.floor((TABLE_WIDTH - METRIC_WIDTH) / (CELL_WIDTH + SEPARATOR.length)) - 1;

/**
 * Splits text into lines of at most `width` characters, breaking at spaces,
 * dots and underscores where it can. Every string printed by the table passes
 * through here, so this is also where report strings are made terminal-safe.
 */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let rest = terminalText(text);
  while (rest.length > width) {
    // A space may sit just past the limit because it is dropped; a dot or an
    // underscore stays at the end of the line, so it must fit.
    const space = rest.slice(0, width + 1).lastIndexOf(" ");
    const head = rest.slice(0, width);
    const punctuation = Math.max(head.lastIndexOf("."), head.lastIndexOf("_")) + 1;
    let cut = Math.max(space, punctuation);
    if (cut <= 0) {
      cut = width;
    }
    lines.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0 || lines.length === 0) {
    lines.push(rest);
  }
  return lines;
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + " ".repeat(width - text.length);
}

function metricLines(row: Row): string[] {
  const lines = wrap(row.metric, METRIC_WIDTH);
  if (row.variant !== undefined) {
    lines.push(...wrap(`variant ${row.variant}`, METRIC_WIDTH));
  }
  if (row.unknownMetric) {
    lines.push("not in the registry");
  } else if (row.better !== undefined) {
    lines.push(...wrap(betterLabel(row.better), METRIC_WIDTH));
  }
  return lines;
}

function bands(count: number): number[][] {
  if (count <= 1 + OTHERS_PER_BAND) {
    return [[...Array(count).keys()]];
  }
  const result: number[][] = [];
  for (let start = 1; start < count; start += OTHERS_PER_BAND) {
    const others = [];
    for (let column = start; column < Math.min(count, start + OTHERS_PER_BAND); column++) {
      others.push(column);
    }
    result.push([0, ...others]);
  }
  return result;
}

function renderBand(comparison: Comparison, columns: number[]): string[] {
  const out: string[] = [];
  const header = [
    pad("metric", METRIC_WIDTH),
    ...columns.map((column) => pad(comparison.reports[column]?.letter ?? "", CELL_WIDTH)),
  ];
  out.push(header.join(SEPARATOR).trimEnd());
  out.push("─".repeat(METRIC_WIDTH + columns.length * (CELL_WIDTH + SEPARATOR.length)));

  for (const row of comparison.rows) {
    const blocks = [
      metricLines(row),
      ...columns.map((column) => {
        const cell = row.cells[column];
        return cell === undefined
          ? []
          : cellLines(cell, row.unit).flatMap((line) => wrap(line, CELL_WIDTH));
      }),
    ];
    const height = Math.max(...blocks.map((block) => block.length));
    for (let line = 0; line < height; line++) {
      const parts = blocks.map((block, index) =>
        pad(block[line] ?? "", index === 0 ? METRIC_WIDTH : CELL_WIDTH),
      );
      out.push(parts.join(SEPARATOR).trimEnd());
    }
    const pairs = shownPairs(comparison, row).filter((pair) => columns.includes(pair.second));
    for (const pair of pairs) {
      for (const [index, line] of wrap(
        pairSentence(comparison, row, pair),
        TABLE_WIDTH - 4,
      ).entries()) {
        out.push(`${index === 0 ? "  ↳ " : "    "}${line}`);
      }
    }
    out.push("");
  }
  return out;
}

/**
 * Renders a comparison for a terminal of TABLE_WIDTH columns: a header naming
 * each report column, then one block per metric with a multi-line cell per
 * report and a line for every pair of values. With more reports than fit,
 * the table is split into bands that each repeat the baseline column A.
 */
export function formatTable(comparison: Comparison, cwd: string): string {
  const out: string[] = [];
  out.push(
    ...wrap(
      `Candor comparison of ${comparison.reports.length} reports. ${baselineSentence(comparison)}`,
      TABLE_WIDTH,
    ),
  );
  for (const report of comparison.reports) {
    const lines = wrap(reportLine(report), TABLE_WIDTH - 3);
    out.push(
      ...lines.map((line, index) => `${index === 0 ? pad(report.letter, 3) : "   "}${line}`),
    );
    out.push(
      ...wrap(relative(cwd, report.path) || report.path, TABLE_WIDTH - 3).map(
        (line) => `   ${line}`,
      ),
    );
  }
  out.push("");

  const allBands = bands(comparison.reports.length);
  allBands.forEach((columns, index) => {
    if (allBands.length > 1) {
      out.push(
        `Columns ${columns.map((column) => comparison.reports[column]?.letter).join(", ")} (band ${index + 1} of ${allBands.length})`,
      );
    }
    out.push(...renderBand(comparison, columns));
  });

  out.push("Comparability:");
  for (const line of CLASS_LEGEND) {
    out.push(...wrap(line, TABLE_WIDTH - 2).map((part) => `  ${part}`));
  }
  out.push(
    ...wrap(
      "MISSING: the report's claimed tier requires the metric, but the report leaves it out. —: the report does not cover the metric and is not required to.",
      TABLE_WIDTH,
    ),
  );
  return `${out.join("\n")}\n`;
}
