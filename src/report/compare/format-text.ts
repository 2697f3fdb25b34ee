import { relative } from "node:path";
import {
  baselineSentence,
  CLASS_LEGEND,
  cellText,
  classLabel,
  pairSentence,
  reportLine,
  reportTitle,
  rowTitle,
  shownPairs,
} from "./text.js";
import type { Comparison } from "./types.js";

/**
 * Escapes report text for GitHub-flavoured Markdown: table pipes, HTML, line
 * breaks, and the brackets of link and image syntax, so a model name cannot
 * become a link.
 */
function markdownCell(text: string): string {
  return text
    .replace(/\\/g, "\\\\")
    .replace(/[|[\]]/g, "\\$&")
    .replace(/[<>]/g, (character) => (character === "<" ? "&lt;" : "&gt;"))
    .replace(/\r?\n/g, " ");
}

/** Renders a comparison as a Markdown table with the pair sentences listed under it. */
export function formatMarkdown(comparison: Comparison, cwd: string): string {
  const out: string[] = ["# Candor comparison", "", baselineSentence(comparison), ""];
  for (const report of comparison.reports) {
    out.push(
      `- **${report.letter}**: ${markdownCell(reportLine(report))} (\`${markdownCell(relative(cwd, report.path) || report.path)}\`)`,
    );
  }
  out.push("");
  out.push(
    `| metric | ${comparison.reports.map((report) => `${report.letter}: ${markdownCell(reportTitle(report))}`).join(" | ")} |`,
  );
  out.push(`|---|${comparison.reports.map(() => "---").join("|")}|`);
  for (const row of comparison.rows) {
    const cells = row.cells.map((cell) => markdownCell(cellText(cell, row.unit)));
    out.push(`| \`${markdownCell(rowTitle(row))}\` | ${cells.join(" | ")} |`);
  }
  out.push("", "## Pairs of values", "");
  for (const row of comparison.rows) {
    for (const pair of shownPairs(comparison, row)) {
      out.push(
        `- \`${markdownCell(rowTitle(row))}\`: ${markdownCell(pairSentence(comparison, row, pair))}`,
      );
    }
  }
  out.push(
    "",
    "## Comparability",
    "",
    ...CLASS_LEGEND.map((line) => `- ${markdownCell(line)}`),
    "",
  );
  return out.join("\n");
}

/** Quotes a CSV field per RFC 4180, and defuses leading characters that spreadsheets run as formulas. */
function csvField(value: string | number | boolean | undefined): string {
  if (value === undefined) {
    return "";
  }
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) {
    text = `'${text}`;
  }
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Renders a comparison as CSV: one line per metric and variant, with value,
 * bounds, sample size and status columns per report, and class, difference
 * and bounds columns per pair shown (each report against the first).
 */
export function formatCsv(comparison: Comparison): string {
  const header: string[] = ["metric", "variant"];
  for (const report of comparison.reports) {
    const prefix = `${report.letter}`;
    header.push(
      `${prefix}_status`,
      `${prefix}_value`,
      `${prefix}_lower`,
      `${prefix}_upper`,
      `${prefix}_sample_size`,
      `${prefix}_reason_code`,
    );
  }
  const pairColumns = comparison.reports.slice(1).map((_, index) => index + 1);
  for (const column of pairColumns) {
    const prefix = `${comparison.reports[column]?.letter}_vs_A`;
    header.push(
      `${prefix}_comparability`,
      `${prefix}_difference`,
      `${prefix}_lower`,
      `${prefix}_upper`,
      `${prefix}_method`,
      `${prefix}_distinguishable`,
      `${prefix}_reasons`,
    );
  }

  const lines = [header.map(csvField).join(",")];
  for (const row of comparison.rows) {
    const fields: (string | number | boolean | undefined)[] = [row.metric, row.variant];
    for (const cell of row.cells) {
      fields.push(
        cell.state,
        cell.value,
        cell.interval?.lower,
        cell.interval?.upper,
        cell.sampleSize,
        cell.reasonCode,
      );
    }
    for (const column of pairColumns) {
      const pair = row.pairs.find((entry) => entry.first === 0 && entry.second === column);
      const difference = pair?.difference;
      fields.push(
        pair === undefined ? undefined : pair.comparability.class,
        difference?.estimate,
        difference?.lower,
        difference?.upper,
        difference?.method,
        difference?.distinguishable,
        pair === undefined
          ? undefined
          : [
              ...pair.comparability.reasons,
              ...pair.comparability.cautions,
              ...(pair.differenceNote === undefined ? [] : [pair.differenceNote]),
            ].join("; "),
      );
    }
    lines.push(fields.map(csvField).join(","));
  }
  return `${lines.join("\r\n")}\r\n`;
}

/** Renders a comparison as JSON, every pair included, for scripts. */
export function formatJson(comparison: Comparison, cwd: string): string {
  const output = {
    level: comparison.level,
    reports: comparison.reports.map((report) => ({
      ...report,
      path: relative(cwd, report.path) || report.path,
    })),
    rows: comparison.rows.map((row) => ({
      ...row,
      pairs: row.pairs.map((pair) => ({
        ...pair,
        first: comparison.reports[pair.first]?.letter,
        second: comparison.reports[pair.second]?.letter,
        class_label: classLabel(pair.comparability.class),
      })),
    })),
  };
  return `${JSON.stringify(output, null, 2)}\n`;
}
