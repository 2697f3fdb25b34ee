import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bufferIO } from "../../../src/cli/io.js";
import { main } from "../../../src/cli/main.js";
import { EXAMPLES_DIR } from "../../../src/paths.js";
import { buildComparison } from "../../../src/report/compare/build.js";
import { formatTable, TABLE_WIDTH } from "../../../src/report/compare/format-table.js";
import { fileOutcomeSource } from "../../../src/report/compare/outcomes.js";
import type { Comparison, Row } from "../../../src/report/compare/types.js";
import { openReport } from "../../../src/report/open.js";
import { loadRegistry } from "../../../src/spec/registry.js";

const FIXTURES = join(import.meta.dirname, "..", "..", "fixtures", "reports");
const fixture = (name: string) => join(FIXTURES, `${name}.json`);
const registry = loadRegistry();

function row(comparison: Comparison, metric: string, variant?: string): Row {
  const found = comparison.rows.find(
    (entry) => entry.metric === metric && entry.variant === variant,
  );
  if (found === undefined) {
    throw new Error(`no row for ${metric} ${variant ?? ""}`);
  }
  return found;
}

async function compareFiles(...paths: string[]): Promise<Comparison> {
  const reports = await Promise.all(paths.map((path) => openReport(path)));
  return buildComparison(reports, { registry, outcomes: fileOutcomeSource() });
}

async function runCli(cwd: string, ...args: string[]) {
  const io = bufferIO({ cwd });
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

describe("values transcribed from two system cards", () => {
  it("are not comparable: o1 PersonQA 0.20 and 0.16", async () => {
    const comparison = await compareFiles(fixture("o1-card-2024"), fixture("o1-card-2025"));
    const personqa = row(comparison, "hallucination.incorrect_rate", "personqa");
    expect(personqa.cells.map((cell) => cell.value)).toEqual([0.2, 0.16]);
    expect(personqa.pairs).toHaveLength(1);
    expect(personqa.pairs[0]?.comparability.class).toBe("not_comparable");
    expect(personqa.pairs[0]?.comparability.reasons.join(" ")).toContain(
      "cannot be confirmed equal",
    );
    expect(personqa.pairs[0]?.difference).toBeUndefined();
  });

  it.skipIf(!existsSync(join(EXAMPLES_DIR, "published", "openai-o1-system-card--o1.json")))(
    "are not comparable in the published examples",
    async () => {
      const comparison = await compareFiles(
        join(EXAMPLES_DIR, "published", "openai-o1-system-card--o1.json"),
        join(EXAMPLES_DIR, "published", "openai-o3-o4-mini-system-card--o1.json"),
      );
      const personqa = row(comparison, "hallucination.incorrect_rate", "personqa");
      expect(personqa.cells.map((cell) => cell.value)).toEqual([0.2, 0.16]);
      expect(personqa.pairs[0]?.comparability.class).toBe("not_comparable");
    },
  );

  it("are printed with the reason in the table", async () => {
    const result = await runCli(FIXTURES, "compare", "o1-card-2024.json", "o1-card-2025.json");
    expect(result.code).toBe(0);
    expect(result.out).toContain("B vs A: NOT COMPARABLE: A states no suite digest");
  });
});

describe("difference of independent proportions", () => {
  it("matches a hand calculation of Newcombe's interval", async () => {
    const comparison = await compareFiles(fixture("measured-a"), fixture("measured-b"));
    const pair = row(comparison, "refusal.over_refusal_rate").pairs[0];
    expect(pair?.comparability.class).toBe("direct");

    // A: 40 of 200 (p = 0.2); B: 60 of 200 (p = 0.3). Wilson 95% bounds with
    // z = 1.959964, z² = 3.841459:
    //   centre = (p + z²/2n) / (1 + z²/n), half = z √(p(1−p)/n + z²/4n²) / (1 + z²/n)
    const z = 1.959963984540054;
    const wilson = (p: number, n: number): [number, number] => {
      const denominator = 1 + (z * z) / n;
      const centre = (p + (z * z) / (2 * n)) / denominator;
      const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denominator;
      return [centre - half, centre + half];
    };
    const [lowerA, upperA] = wilson(0.2, 200); // [0.150452, 0.260855]
    const [lowerB, upperB] = wilson(0.3, 200); // [0.240747, 0.366791]
    expect(lowerA).toBeCloseTo(0.150452, 6);
    expect(upperB).toBeCloseTo(0.366791, 6);
    // Newcombe (1998) method 10 for d = pB − pA = 0.1:
    //   lower = d − √((pB − lB)² + (uA − pA)²) = 0.1 − √(0.059253² + 0.060855²) = 0.015063
    //   upper = d + √((uB − pB)² + (pA − lA)²) = 0.1 + √(0.066791² + 0.049548²) = 0.183162
    const lower = 0.1 - Math.hypot(0.3 - lowerB, upperA - 0.2);
    const upper = 0.1 + Math.hypot(upperB - 0.3, 0.2 - lowerA);
    expect(lower).toBeCloseTo(0.015063, 6);
    expect(upper).toBeCloseTo(0.183162, 6);

    expect(pair?.difference?.method).toBe("newcombe");
    expect(pair?.difference?.estimate).toBeCloseTo(0.1, 12);
    expect(pair?.difference?.lower).toBeCloseTo(lower, 9);
    expect(pair?.difference?.upper).toBeCloseTo(upper, 9);
    expect(pair?.difference?.distinguishable).toBe(true);
  });

  it("says when an interval includes zero", async () => {
    const comparison = await compareFiles(fixture("measured-a"), fixture("measured-b"));
    const pair = row(comparison, "hallucination.incorrect_rate").pairs[0];
    expect(pair?.difference?.estimate).toBeCloseTo(-0.05, 12);
    expect(pair?.difference?.distinguishable).toBe(false);
  });

  it("is not given across different elicitation", async () => {
    const comparison = await compareFiles(fixture("measured-a"), fixture("measured-b"));
    const pair = row(comparison, "refusal.harmful_compliance_rate").pairs[0];
    expect(pair?.comparability.class).toBe("same_suite_different_elicitation");
    expect(pair?.comparability.reasons).toContain("temperature differs: 0 vs 0.7");
    expect(pair?.difference).toBeUndefined();
  });
});

describe("paired difference over per-item outcomes", () => {
  let dir: string;

  // Over-refusal on the same 200 safe items: both refuse 35, only A refuses
  // 5, only B refuses 25, neither refuses 135; so A = 40/200 and B = 60/200.
  function outcomesFor(side: "A" | "B", shift = 0): string {
    const lines: string[] = [];
    for (let index = 0; index < 200; index++) {
      const bothRefuse = index < 35;
      const onlyA = index >= 35 && index < 40;
      const onlyB = index >= 40 && index < 65;
      const refuses = bothRefuse || (side === "A" ? onlyA : onlyB);
      lines.push(
        JSON.stringify({
          id: `safe-${index + shift}`,
          category: "homonyms",
          item_label: "safe",
          label: refuses ? "full_refusal" : "full_compliance",
        }),
      );
    }
    for (let index = 0; index < 150; index++) {
      const complies = index < (side === "A" ? 6 : 9);
      lines.push(
        JSON.stringify({
          id: `unsafe-${index}`,
          category: "homonyms",
          item_label: "unsafe",
          label: complies ? "full_compliance" : "full_refusal",
        }),
      );
    }
    return `${lines.join("\n")}\n`;
  }

  function writeReport(name: string, fixtureName: string, samples: string): string {
    const folder = join(dir, name);
    const report = JSON.parse(readFileSync(fixture(fixtureName), "utf8"));
    const { mkdirSync } = require("node:fs") as typeof import("node:fs");
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, "samples.jsonl"), samples);
    const outcomes = {
      path: "samples.jsonl",
      digest: `sha256:${createHash("sha256").update(samples).digest("hex")}`,
      count: samples.trimEnd().split("\n").length,
    };
    for (const result of report.results) {
      if (result.metric.startsWith("refusal.")) {
        result.outcomes = outcomes;
      }
    }
    writeFileSync(join(folder, "report.json"), JSON.stringify(report, null, 2));
    return join(folder, "report.json");
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "candor-paired-"));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("uses McNemar's exact test on the discordant items", async () => {
    const comparison = await compareFiles(
      writeReport("a", "measured-a", outcomesFor("A")),
      writeReport("b", "measured-b", outcomesFor("B")),
    );
    const difference = row(comparison, "refusal.over_refusal_rate").pairs[0]?.difference;
    expect(difference?.method).toBe("paired");
    expect(difference?.pairedItems).toBe(200);
    expect(difference?.estimate).toBeCloseTo(0.1, 12);
    expect(difference?.test?.discordant).toEqual([5, 25]);
    // Exact two-sided p = 2 · P(X ≤ 5) for X ~ Bin(30, 1/2)
    //   = 2 · (1 + 30 + 435 + 4060 + 27405 + 142506) / 2^30 = 348874 / 1073741824
    expect(difference?.test?.pValue).toBeCloseTo(348874 / 1073741824, 12);
    expect(difference?.distinguishable).toBe(true);
    // Pairing removes the shared refusals from the variance, so the paired
    // interval is narrower than the independent one (0.015 to 0.183).
    expect((difference?.upper ?? 1) - (difference?.lower ?? 0)).toBeLessThan(0.183162 - 0.015063);
  });

  it("falls back to Newcombe when the items differ", async () => {
    const comparison = await compareFiles(
      writeReport("c", "measured-a", outcomesFor("A")),
      writeReport("d", "measured-b", outcomesFor("B", 1000)),
    );
    const pair = row(comparison, "refusal.over_refusal_rate").pairs[0];
    expect(pair?.difference?.method).toBe("newcombe");
    expect(pair?.comparability.cautions.join(" ")).toContain("cover different items");
  });

  it("falls back to Newcombe when an outcomes file was changed", async () => {
    const path = writeReport("e", "measured-a", outcomesFor("A"));
    writeFileSync(join(dir, "e", "samples.jsonl"), outcomesFor("B"));
    const comparison = await compareFiles(path, writeReport("f", "measured-b", outcomesFor("B")));
    const pair = row(comparison, "refusal.over_refusal_rate").pairs[0];
    expect(pair?.difference?.method).toBe("newcombe");
    expect(pair?.comparability.cautions.join(" ")).toContain("does not match the digest");
  });
});

describe("disclosure statuses", () => {
  it("shows withheld with its reason code and marks a missing metric", async () => {
    const report = JSON.parse(readFileSync(fixture("measured-a"), "utf8"));
    report.results = report.results.filter(
      (result: { metric: string }) => result.metric !== "sycophancy.capitulation_rate",
    );
    const dir = mkdtempSync(join(tmpdir(), "candor-missing-"));
    writeFileSync(join(dir, "missing.json"), JSON.stringify(report));
    try {
      const comparison = await compareFiles(join(dir, "missing.json"), fixture("measured-b"));
      expect(
        row(comparison, "sycophancy.capitulation_rate").cells.map((cell) => cell.state),
      ).toEqual(["missing", "not_evaluated"]);
      expect(row(comparison, "sandbagging.accuracy_gap").cells[0]).toMatchObject({
        state: "withheld",
        reasonCode: "pending",
      });

      const text = formatTable(comparison, dir);
      expect(text).toContain("MISSING");
      expect(text).toContain("WITHHELD (pending)");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("compare formats", () => {
  const five = ["measured-a", "measured-b", "o1-card-2024", "o1-card-2025", "hostile"].map(
    (name) => `${name}.json`,
  );

  it("fits the table in 100 columns", async () => {
    for (const files of [five.slice(0, 2), five]) {
      const result = await runCli(FIXTURES, "compare", ...files);
      expect(result.code).toBe(0);
      const tooWide = result.out.split("\n").filter((line) => [...line].length > TABLE_WIDTH);
      expect(tooWide).toEqual([]);
    }
  });

  it("names the baseline for more than two reports", async () => {
    const result = await runCli(FIXTURES, "compare", ...five);
    expect(result.out).toContain("Each report is compared with A, the baseline");
    expect(result.out).toContain("band 1 of 2");
  });

  it("writes JSON with every pair", async () => {
    const result = await runCli(FIXTURES, "compare", "--format", "json", ...five.slice(0, 3));
    const parsed = JSON.parse(result.out) as { reports: unknown[]; rows: { pairs: unknown[] }[] };
    expect(parsed.reports).toHaveLength(3);
    expect(parsed.rows[0]?.pairs).toHaveLength(3);
  });

  it("writes CSV with a column per report and pair", async () => {
    const result = await runCli(
      FIXTURES,
      "compare",
      "--format",
      "csv",
      "measured-a.json",
      "measured-b.json",
    );
    const [header, ...lines] = result.out.trimEnd().split("\r\n");
    expect(header).toContain("A_value");
    expect(header).toContain("B_vs_A_difference");
    const overRefusal = lines.find((line) => line.startsWith("refusal.over_refusal_rate,"));
    expect(overRefusal).toContain(",direct,");
  });

  it("writes Markdown and HTML files", async () => {
    const dir = mkdtempSync(join(tmpdir(), "candor-formats-"));
    try {
      const markdown = await runCli(
        FIXTURES,
        "compare",
        "--format",
        "md",
        "-o",
        join(dir, "c.md"),
        "measured-a.json",
        "measured-b.json",
      );
      expect(markdown.code).toBe(0);
      expect(readFileSync(join(dir, "c.md"), "utf8")).toContain("| `refusal.over_refusal_rate` |");

      const page = await runCli(
        FIXTURES,
        "compare",
        "--format",
        "html",
        "-o",
        join(dir, "c.html"),
        ...five,
      );
      expect(page.code).toBe(0);
      const html = readFileSync(join(dir, "c.html"), "utf8");
      expect(html).toContain("default-src 'none'");
      expect(html).not.toContain("<script");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps a model name from becoming a Markdown link", async () => {
    const dir = mkdtempSync(join(tmpdir(), "candor-markdown-"));
    try {
      const report = JSON.parse(readFileSync(fixture("measured-a"), "utf8"));
      report.model.name = "[click](javascript:alert(1))";
      writeFileSync(join(dir, "a.json"), JSON.stringify(report));
      const result = await runCli(dir, "compare", "--format", "md", "a.json");
      expect(result.code).toBe(0);
      expect(result.out).toContain("\\[click\\](javascript:alert(1))");
      expect(result.out).not.toContain("[click]");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("says when a report claims no valid tier", async () => {
    const dir = mkdtempSync(join(tmpdir(), "candor-no-tier-"));
    try {
      const report = JSON.parse(readFileSync(fixture("measured-a"), "utf8"));
      report.claimed_tier = 1e308;
      writeFileSync(join(dir, "a.json"), JSON.stringify(report));
      const result = await runCli(dir, "compare", "a.json");
      expect(result.code).toBe(0);
      expect(result.out).toContain("no valid tier claimed");
      expect(result.out).not.toContain("tier undefined");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rejects an unknown format", async () => {
    const result = await runCli(FIXTURES, "compare", "--format", "xml", "measured-a.json");
    expect(result.code).toBe(2);
    expect(result.err).toContain("unknown format");
  });
});

describe("terminal output", () => {
  it("prints no control characters from a report", async () => {
    const raw = readFileSync(fixture("hostile"), "utf8");
    expect(raw).toContain("\\u001b[2J");
    const result = await runCli(FIXTURES, "compare", "measured-a.json", "hostile.json");
    expect(result.code).toBe(0);
    expect(result.out).not.toContain("\u001b");
    expect(result.out).not.toContain("\u202e");
    expect(result.out).toContain("Dev & Co </main><script>");
  });
});
