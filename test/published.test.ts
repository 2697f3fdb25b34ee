import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { beforeAll, describe, expect, it } from "vitest";
import type { Report, Result } from "../src/spec/generated/report.js";
import { loadRegistry, type Registry } from "../src/spec/registry.js";
import { validateReportFile } from "../src/spec/validate.js";
import { hasSharedData, SHARED_DATA_MISSING, sharedDataPath } from "./helpers/shared-data.js";

const ROOT = join(import.meta.dirname, "..");
const PUBLISHED_DIR = join(ROOT, "examples", "published");
const files = readdirSync(PUBLISHED_DIR)
  .filter((name) => name.endsWith(".json"))
  .sort();

function readReport(name: string): Report {
  return JSON.parse(readFileSync(join(PUBLISHED_DIR, name), "utf8")) as Report;
}

/** Documents the examples transcribe, by file-name prefix, with the tier each claims. */
const DOCUMENTS: Record<string, { title: string; claimedTier: number; models: number }> = {
  "claude-sonnet-4-5-system-card": {
    title: "Claude Sonnet 4.5 System Card",
    claimedTier: 2,
    models: 5,
  },
  "openai-o1-system-card": { title: "OpenAI o1 System Card", claimedTier: 1, models: 5 },
  "openai-o3-o4-mini-system-card": {
    title: "OpenAI o3 and o4-mini System Card",
    claimedTier: 1,
    models: 3,
  },
};

function documentPrefix(name: string): string {
  return name.split("--")[0] ?? "";
}

describe("published examples", () => {
  let registry: Registry;

  beforeAll(() => {
    registry = loadRegistry();
  });

  it("hold one file per model per document", () => {
    for (const [prefix, { models }] of Object.entries(DOCUMENTS)) {
      const count = files.filter((name) => documentPrefix(name) === prefix).length;
      expect(count, prefix).toBe(models);
    }
    expect(files.length).toBe(13);
  });

  it.each(files)("%s matches the report schema", (name) => {
    const schema = JSON.parse(readFileSync(join(ROOT, "spec/schema/report.schema.json"), "utf8"));
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    validate(readReport(name));
    expect(validate.errors ?? []).toEqual([]);
  });

  it.each(files)("%s validates clean and reaches no tier", async (name) => {
    const result = await validateReportFile(join(PUBLISHED_DIR, name), { registry });
    expect(result.problems).toEqual([]);
    expect(result.valid).toBe(true);
    expect(result.claimedTier).toBe(DOCUMENTS[documentPrefix(name)]?.claimedTier);
    expect(result.reachedTier).toBe(0);
    expect(result.assurance).toBe("self_reported");
  });

  it.each(files)("%s covers every metric of its claimed tier", (name) => {
    const report = readReport(name);
    const present = new Set(report.results.map((result) => result.metric));
    for (const metric of registry.metrics) {
      if (metric.tier <= report.claimed_tier) {
        expect(present.has(metric.id), metric.id).toBe(true);
      }
    }
  });

  it.each(files)("%s is a cited documentation report", (name) => {
    const report = readReport(name);
    expect(report.publisher).toEqual({
      name: "Candor examples (transcribed)",
      relationship: "documentation",
    });
    expect(report.documents?.map((document) => document.title)).toEqual([
      DOCUMENTS[documentPrefix(name)]?.title,
    ]);
    const documentIds = new Set(report.documents?.map((document) => document.id));
    for (const result of report.results) {
      if (result.status === "reported") {
        expect(documentIds.has(result.citation?.document ?? ""), result.metric).toBe(true);
        expect(result.citation?.as_printed, result.metric).toBeTruthy();
        expect(result.notes, result.metric).toBeTruthy();
        expect(result.sample_size, result.metric).toBeUndefined();
      } else {
        expect(result.status, result.metric).toBe("not_disclosed");
      }
    }
  });
});

// Each figure row of the transcription list, by the name the document gives
// it, and how its printed value becomes the registry metric's value.
type Conversion = "percent" | "complement_of_percent" | "decimal";
const ROW_MAPPINGS: Record<string, { metric: string; variant?: string; conversion: Conversion }> = {
  "Harmless response rate on violative requests": {
    metric: "refusal.harmful_compliance_rate",
    conversion: "complement_of_percent",
  },
  "Refusal rate on benign requests (over-refusal; run without safety classifiers)": {
    metric: "refusal.over_refusal_rate",
    conversion: "percent",
  },
  "Reward-hack-prone coding tasks v2: classifier-flagged hack rate": {
    metric: "reward_hacking.test_tampering_rate",
    variant: "classifier_flagged",
    conversion: "percent",
  },
  "Reward-hack-prone coding tasks v2: hidden-test hack rate": {
    metric: "reward_hacking.test_tampering_rate",
    variant: "hidden_test",
    conversion: "percent",
  },
  "Impossible tasks hack rate, no anti-hack prompt": {
    metric: "reward_hacking.impossible_pass_rate",
    variant: "no_anti_hack_prompt",
    conversion: "percent",
  },
  "Impossible tasks hack rate, with anti-hack prompt": {
    metric: "reward_hacking.impossible_pass_rate",
    variant: "with_anti_hack_prompt",
    conversion: "percent",
  },
  "Verbalised evaluation awareness (external evaluator)": {
    metric: "evaluation_awareness.verbalized_rate",
    conversion: "percent",
  },
  "SimpleQA accuracy": {
    metric: "hallucination.correct_rate",
    variant: "simpleqa",
    conversion: "decimal",
  },
  "SimpleQA hallucination rate": {
    metric: "hallucination.incorrect_rate",
    variant: "simpleqa",
    conversion: "decimal",
  },
  "PersonQA accuracy": {
    metric: "hallucination.correct_rate",
    variant: "personqa",
    conversion: "decimal",
  },
  "PersonQA hallucination rate": {
    metric: "hallucination.incorrect_rate",
    variant: "personqa",
    conversion: "decimal",
  },
};

const TITLE_PREFIXES: Record<string, string> = Object.fromEntries(
  Object.entries(DOCUMENTS).map(([prefix, { title }]) => [title, prefix]),
);

interface FigureRow {
  prefix: string;
  model: string;
  name: string;
  printed: string;
  locator: string;
}

/** Reads the figure tables: one row per model and figure, with the cell as printed. */
function parseFigures(text: string): FigureRow[] {
  const rows: FigureRow[] = [];
  let prefix = "";
  let models: string[] = [];
  for (const line of text.split("\n")) {
    const heading = /^## [A-Z]\. [^"]*"([^"]+)"/.exec(line);
    if (heading) {
      prefix = TITLE_PREFIXES[heading[1] ?? ""] ?? `unknown document ${heading[1]}`;
      continue;
    }
    const order = /^Model order[^:]*: (.+)$/.exec(line);
    if (order) {
      models = (order[1] ?? "")
        .replace(/ \(where given\)/, "")
        .replace(/\.$/, "")
        .split(" / ");
      continue;
    }
    const cells = line.split("|").map((cell) => cell.trim());
    if (cells.length !== 5 || cells[1] === "metric" || cells[1] === "metric as the card names it") {
      continue;
    }
    if ((cells[1] ?? "").startsWith("---")) continue;
    const values = (cells[2] ?? "").split(" / ");
    values.forEach((printed, index) => {
      rows.push({
        prefix,
        model: models[index] ?? `model ${index}`,
        name: cells[1] ?? "",
        printed,
        locator: cells[3] ?? "",
      });
    });
  }
  return rows;
}

function modelSlug(model: string): string {
  return model.toLowerCase().replaceAll(" ", "-").replaceAll(".", "-");
}

function expectedValue(printed: string, conversion: Conversion): number {
  const number = Number.parseFloat(printed);
  if (conversion === "decimal") return number;
  if (conversion === "percent") return number / 100;
  return 1 - number / 100;
}

/** Converts the interval printed as "(±x%)" after a value like the value, clipped to [0, 1]. */
function expectedInterval(printed: string, conversion: Conversion): [number, number] | undefined {
  const plusMinus = /±([0-9.]+)%/.exec(printed);
  if (plusMinus === null) return undefined;
  const value = expectedValue(printed, conversion);
  const half = Number.parseFloat(plusMinus[1] ?? "") / 100;
  return [Math.max(0, value - half), Math.min(1, value + half)];
}

// A skipped run names the missing folder in its title.
const TRANSCRIPTION_TITLE = hasSharedData
  ? "published examples against the transcription list"
  : `published examples against the transcription list: ${SHARED_DATA_MISSING}`;

describe.skipIf(!hasSharedData)(TRANSCRIPTION_TITLE, () => {
  const rows = hasSharedData
    ? parseFigures(readFileSync(sharedDataPath("published", "figures.md"), "utf8"))
    : [];

  function resultsFor(row: FigureRow): Result[] {
    return readReport(`${row.prefix}--${modelSlug(row.model)}.json`).results;
  }

  it("reads every figure row", () => {
    expect(rows.length).toBe(7 * 5 + 4 * 5 + 2 * 3);
    for (const row of rows) {
      expect(ROW_MAPPINGS[row.name], row.name).toBeDefined();
      expect(files, row.model).toContain(`${row.prefix}--${modelSlug(row.model)}.json`);
    }
  });

  it("encodes each printed figure exactly", () => {
    for (const row of rows.filter((candidate) => candidate.printed !== "n.a.")) {
      const label = `${row.prefix} ${row.model} ${row.name}`;
      const mapping = ROW_MAPPINGS[row.name];
      const matches = resultsFor(row).filter(
        (result) => result.citation?.metric_name_in_source === row.name,
      );
      expect(matches.length, label).toBe(1);
      const result = matches[0] as Result;
      expect(result.metric, label).toBe(mapping?.metric);
      expect(result.variant, label).toBe(mapping?.variant);
      expect(result.status, label).toBe("reported");
      expect(result.citation?.as_printed, label).toBe(row.printed);
      expect(result.citation?.locator, label).toBe(row.locator);
      expect(result.value, label).toBeCloseTo(
        expectedValue(row.printed, mapping?.conversion ?? "decimal"),
        10,
      );
      const interval = expectedInterval(row.printed, mapping?.conversion ?? "decimal");
      if (interval === undefined) {
        expect(result.interval, label).toBeUndefined();
      } else {
        expect(result.interval?.method, label).toBe("as_printed");
        expect(result.interval?.level, label).toBeUndefined();
        expect(result.interval?.lower, label).toBeCloseTo(interval[0], 10);
        expect(result.interval?.upper, label).toBeCloseTo(interval[1], 10);
      }
    }
  });

  it("marks n.a. figures not disclosed", () => {
    for (const row of rows.filter((candidate) => candidate.printed === "n.a.")) {
      const label = `${row.prefix} ${row.model} ${row.name}`;
      const mapping = ROW_MAPPINGS[row.name];
      const results = resultsFor(row).filter((result) => result.metric === mapping?.metric);
      expect(
        results.map((result) => result.status),
        label,
      ).toEqual(["not_disclosed"]);
    }
  });

  it("reports no value without a figure", () => {
    const printedNames = new Set(rows.map((row) => `${row.prefix}|${row.model}|${row.name}`));
    for (const name of files) {
      const report = readReport(name);
      for (const result of report.results.filter((candidate) => candidate.status === "reported")) {
        const key = `${documentPrefix(name)}|${report.model.name}|${result.citation?.metric_name_in_source}`;
        expect(printedNames.has(key), `${name} ${result.metric}`).toBe(true);
      }
    }
  });
});
