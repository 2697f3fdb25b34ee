import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bufferIO } from "../../../src/cli/io.js";
import { main } from "../../../src/cli/main.js";
import { EXAMPLES_DIR } from "../../../src/paths.js";
import { uniqueSlug } from "../../../src/report/site/model.js";

const FIXTURES = join(import.meta.dirname, "..", "..", "fixtures", "reports");
const PUBLISHED = join(EXAMPLES_DIR, "published");
const hasPublished =
  existsSync(PUBLISHED) && readdirSync(PUBLISHED).some((name) => name.endsWith(".json"));

async function run(cwd: string, ...args: string[]) {
  const io = bufferIO({ cwd });
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

function htmlFiles(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".html"))
    .map((name) => join(folder, name));
}

/** Checks that every link of every page is relative and, for pages, points to a file that exists. */
function checkLinks(folder: string): void {
  for (const file of htmlFiles(folder)) {
    const page = readFileSync(file, "utf8");
    for (const match of page.matchAll(/href="([^"]*)"/g)) {
      const href = match[1] ?? "";
      if (href.startsWith("#") || href.startsWith("https://") || href.startsWith("http://")) {
        continue;
      }
      expect(href.startsWith("/"), `${file}: ${href}`).toBe(false);
      expect(existsSync(resolve(dirname(file), href.split("#")[0] ?? "")), `${file}: ${href}`).toBe(
        true,
      );
    }
  }
}

describe("candor site on test reports", () => {
  let input: string;
  let output: string;

  beforeAll(async () => {
    input = mkdtempSync(join(tmpdir(), "candor-site-in-"));
    output = mkdtempSync(join(tmpdir(), "candor-site-out-"));
    for (const name of ["measured-a", "measured-b", "o1-card-2024", "o1-card-2025", "hostile"]) {
      copyFileSync(join(FIXTURES, `${name}.json`), join(input, `${name}.json`));
    }
    mkdirSync(join(input, "signed"));
    await run(input, "keygen", "-o", "signed/lab");
    await run(
      input,
      "sign",
      "measured-a.json",
      "--key",
      "signed/lab.key",
      "-o",
      "signed/measured-a.dsse.json",
    );
    rmSync(join(input, "signed", "lab.key"));
    const result = await run(input, "site", ".", "-o", output, "--key", "signed/lab.pub");
    expect(result.err).toBe("");
    expect(result.code).toBe(0);
  });

  afterAll(() => {
    rmSync(input, { recursive: true, force: true });
    rmSync(output, { recursive: true, force: true });
  });

  it("writes an index, a page per metric and a page per report", () => {
    expect(existsSync(join(output, "index.html"))).toBe(true);
    expect(existsSync(join(output, "metrics", "refusal.over_refusal_rate.html"))).toBe(true);
    expect(existsSync(join(output, "metrics", "hallucination.incorrect_rate--personqa.html"))).toBe(
      true,
    );
    expect(readdirSync(join(output, "reports")).sort()).toEqual([
      "example-lab-chat-2025-06.html",
      "fixture-o1-card-2024-12.html",
      "fixture-o1-card-2025-04.html",
      "hostile-report.html",
      "independent-other-chat-2025-06.html",
    ]);
  });

  it("keeps the signed copy of a report given twice", () => {
    const page = readFileSync(join(output, "reports", "example-lab-chat-2025-06.html"), "utf8");
    expect(page).toContain('data-signature="verified"');
  });

  it("links with relative paths that exist", () => {
    checkLinks(output);
  });

  it("shows each report's status for each metric in the matrix", () => {
    const index = readFileSync(join(output, "index.html"), "utf8");
    const card = JSON.parse(readFileSync(join(FIXTURES, "o1-card-2024.json"), "utf8")) as {
      results: { metric: string; variant?: string; status: string }[];
    };
    for (const result of card.results) {
      const row = index.match(
        new RegExp(
          `<tr data-metric="${result.metric.replace(/\./g, "\\.")}" data-variant="${result.variant ?? ""}">([\\s\\S]*?)</tr>`,
        ),
      );
      expect(row, result.metric).not.toBeNull();
      expect(row?.[1]).toContain(
        `<td data-report="fixture-o1-card-2024-12" data-state="${result.status}">`,
      );
    }
  });

  it("groups directly comparable values and leaves transcribed ones untagged", () => {
    const page = readFileSync(join(output, "metrics", "refusal.over_refusal_rate.html"), "utf8");
    expect(page.match(/data-group="1"/g)?.length).toBeGreaterThanOrEqual(2);
    const personqa = readFileSync(
      join(output, "metrics", "hallucination.incorrect_rate--personqa.html"),
      "utf8",
    );
    expect(personqa).not.toContain("data-group=");
    expect(personqa).toContain(
      "no suite stated, so this value cannot be confirmed comparable with any other",
    );
  });
});

describe("candor site input problems", () => {
  it("lists a file that is not a report and exits 1", async () => {
    const input = mkdtempSync(join(tmpdir(), "candor-site-bad-"));
    const output = mkdtempSync(join(tmpdir(), "candor-site-bad-out-"));
    try {
      copyFileSync(join(FIXTURES, "measured-a.json"), join(input, "a.json"));
      writeFileSync(join(input, "notes.json"), '{"hello": "world"}');
      const result = await run(input, "site", ".", "-o", output);
      expect(result.code).toBe(1);
      expect(result.err).toContain("skipped notes.json");
      expect(readFileSync(join(output, "index.html"), "utf8")).toContain("Files not shown");
    } finally {
      rmSync(input, { recursive: true, force: true });
      rmSync(output, { recursive: true, force: true });
    }
  });

  it("lists a second report with the same identity", async () => {
    const input = mkdtempSync(join(tmpdir(), "candor-site-twice-"));
    const output = mkdtempSync(join(tmpdir(), "candor-site-twice-out-"));
    try {
      copyFileSync(join(FIXTURES, "measured-a.json"), join(input, "a.json"));
      copyFileSync(join(FIXTURES, "measured-a.json"), join(input, "b.json"));
      const result = await run(input, "site", ".", "-o", output);
      expect(result.code).toBe(1);
      expect(result.err).toContain(
        'skipped b.json: it has the publisher and report_id of "a.json", which is shown instead',
      );
    } finally {
      rmSync(input, { recursive: true, force: true });
      rmSync(output, { recursive: true, force: true });
    }
  });

  it("shows a linked report and lists a link loop", async () => {
    const input = mkdtempSync(join(tmpdir(), "candor-site-links-"));
    const output = mkdtempSync(join(tmpdir(), "candor-site-links-out-"));
    try {
      symlinkSync(join(FIXTURES, "measured-a.json"), join(input, "linked.json"));
      symlinkSync(join(input, "loop.json"), join(input, "loop.json"));
      const result = await run(input, "site", ".", "-o", output, "--json");
      expect(result.code).toBe(1);
      expect(JSON.parse(result.out).reports).toBe(1);
      expect(result.err).toContain("skipped loop.json");
    } finally {
      rmSync(input, { recursive: true, force: true });
      rmSync(output, { recursive: true, force: true });
    }
  });

  it("refuses to write into the input folder", async () => {
    const result = await run(FIXTURES, "site", ".", "-o", ".");
    expect(result.code).toBe(2);
  });
});

describe("uniqueSlug", () => {
  it("keeps safe characters and numbers repeats", () => {
    const taken = new Set<string>();
    expect(uniqueSlug("candor-examples.openai:o1", taken)).toBe("candor-examples.openai_o1");
    expect(uniqueSlug("../../etc/passwd", taken)).toBe("etc_passwd");
    expect(uniqueSlug("Etc_Passwd", taken)).toBe("Etc_Passwd-2");
  });
});

describe.skipIf(!hasPublished)("candor site on the published examples", () => {
  it("builds a page for every report with nothing skipped", async () => {
    const output = mkdtempSync(join(tmpdir(), "candor-site-published-"));
    try {
      const result = await run(PUBLISHED, "site", ".", "-o", output, "--json");
      expect(result.err).toBe("");
      expect(result.code).toBe(0);
      const summary = JSON.parse(result.out) as { reports: number; skipped: unknown[] };
      const files = readdirSync(PUBLISHED).filter((name) => name.endsWith(".json"));
      expect(summary.reports).toBe(files.length);
      expect(summary.skipped).toEqual([]);
      checkLinks(output);
    } finally {
      rmSync(output, { recursive: true, force: true });
    }
  });
});
