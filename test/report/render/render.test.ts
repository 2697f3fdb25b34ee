import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bufferIO } from "../../../src/cli/io.js";
import { main } from "../../../src/cli/main.js";
import { openReport } from "../../../src/report/open.js";
import { assessReport } from "../../../src/report/render/assess.js";
import { escapeHtml, safeLinkUrl } from "../../../src/report/render/escape.js";
import { renderReportPage } from "../../../src/report/render/report-page.js";
import { loadRegistry } from "../../../src/spec/registry.js";

const FIXTURES = join(import.meta.dirname, "..", "..", "fixtures", "reports");
const registry = loadRegistry();

async function renderFixture(name: string): Promise<string> {
  const opened = await openReport(join(FIXTURES, `${name}.json`));
  return renderReportPage(opened, { registry, assessment: await assessReport(opened, registry) });
}

/** Every attribute name in the markup, to catch event handlers such as onerror. */
function attributeNames(html: string): string[] {
  return [...html.matchAll(/<[a-zA-Z][^>]*>/g)].flatMap((tag) =>
    [...(tag[0].slice(1).matchAll(/\s([a-zA-Z-:]+)=/g) ?? [])].map((match) =>
      (match[1] ?? "").toLowerCase(),
    ),
  );
}

describe("escaping", () => {
  it("escapes the five significant characters", () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;",
    );
  });

  it("replaces control and bidirectional override characters", () => {
    expect(escapeHtml("a\u0000b\u001b[31mc\u202ed\u2066e\u009bf")).toBe(
      "a\ufffdb\ufffd[31mc\ufffdd\ufffde\ufffdf",
    );
    expect(escapeHtml("tab\tnew\nline\r")).toBe("tab\tnew\nline\r");
  });

  it("allows only http and https links", () => {
    expect(safeLinkUrl("https://example.test/a?b=1")).toBe("https://example.test/a?b=1");
    for (const url of [
      "javascript:alert(1)",
      " JavaScript:alert(1)",
      "data:text/html,<script>",
      "vbscript:x",
      "//example.test",
      "relative/page",
    ]) {
      expect(safeLinkUrl(url)).toBeUndefined();
    }
  });
});

describe("report page with hostile strings", () => {
  let page: string;

  beforeAll(async () => {
    page = await renderFixture("hostile");
  });

  it("contains no script, frame, image or object element", () => {
    for (const tag of [
      "<script",
      "<iframe",
      "<img",
      "<object",
      "<embed",
      "<link",
      "<base",
      "<form",
    ]) {
      expect(page.toLowerCase()).not.toContain(tag);
    }
  });

  it("contains no event handler attribute", () => {
    expect(attributeNames(page).filter((name) => name.startsWith("on"))).toEqual([]);
  });

  it("turns no javascript: URL into a link", () => {
    const hrefs = [...page.matchAll(/href="([^"]*)"/g)].map((match) => match[1] ?? "");
    expect(hrefs.length).toBeGreaterThan(0);
    for (const href of hrefs) {
      expect(
        href.startsWith("#") || href.startsWith("https://") || href.startsWith("http://"),
      ).toBe(true);
    }
  });

  it("shows the markup as text", () => {
    expect(page).toContain("Evil &quot;Lab&quot; &lt;script&gt;window.__pwned=1&lt;/script&gt;");
    expect(page).toContain("&lt;b&gt;Bold&lt;/b&gt; model&#39; onmouseover=&#39;window.__pwned=1");
    expect(page).toContain(
      "&lt;iframe src=&quot;javascript:window.__pwned=5&quot;&gt;&lt;/iframe&gt;",
    );
    expect(page).toContain("&lt;svg onload=&quot;window.__pwned=4&quot;&gt;");
  });
});

describe("self-contained page", () => {
  let page: string;

  beforeAll(async () => {
    page = await renderFixture("measured-a");
  });

  it("declares a policy that forbids every outside request", () => {
    expect(page).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:`,
    );
  });

  it("references no outside resource", () => {
    expect(page).not.toMatch(/\ssrc=/);
    expect(page).not.toContain("url(");
    expect(page).not.toContain("@import");
    expect(page).not.toContain("<script");
  });

  it("has a print stylesheet and a narrow layout", () => {
    expect(page).toContain("@media print");
    expect(page).toContain("@media (max-width:40rem)");
  });
});

describe("report page content", () => {
  it("shows values, intervals, sample sizes and protocol", async () => {
    const page = await renderFixture("measured-a");
    expect(page).toContain('data-value="0.2">20.0%</span>');
    expect(page).toContain("[15.0%, 26.1%] · 95% Wilson");
    expect(page).toContain('data-sample-size="200">n = 200');
    expect(page).toContain("refusal-calibration</code> version 1.0.0");
    expect(page).toContain('<svg class="interval-chart"');
  });

  it("shows breakdowns by category", async () => {
    const page = await renderFixture("measured-a");
    expect(page).toContain('data-dimension="category"');
    expect(page).toContain("figurative_language");
  });

  it("shows disclosure statuses in the results table", async () => {
    const page = await renderFixture("measured-a");
    const results = page.slice(
      page.indexOf('<table class="results'),
      page.indexOf("</table>", page.indexOf('<table class="results')),
    );
    expect(results).toContain('data-status="withheld"');
    expect(results).toContain("WITHHELD (pending)");
    expect(results).toContain('data-status="not_evaluated"');
    expect(results).toContain('data-status="not_applicable"');
  });

  it("cites the document behind a transcribed value", async () => {
    const page = await renderFixture("o1-card-2024");
    expect(page).toContain("OpenAI o1 System Card");
    expect(page).toContain("§3.1.4, Table 3");
    expect(page).toContain("printed as “0.20”");
    expect(page).toContain("NOT DISCLOSED");
  });

  it("marks a required metric the report leaves out", async () => {
    const report = JSON.parse(readFileSync(join(FIXTURES, "measured-a.json"), "utf8"));
    report.results = report.results.filter(
      (result: { metric: string }) => result.metric !== "sycophancy.capitulation_rate",
    );
    const dir = mkdtempSync(join(tmpdir(), "candor-render-"));
    try {
      writeFileSync(join(dir, "missing.json"), JSON.stringify(report));
      const opened = await openReport(join(dir, "missing.json"));
      const assessment = await assessReport(opened, registry);
      const page = renderReportPage(opened, { registry, assessment });
      expect(page).toMatch(
        /data-metric="sycophancy\.capitulation_rate" data-variant="" data-state="missing"/,
      );
      expect(page).toContain("INVALID");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("candor render", () => {
  let dir: string;

  async function run(...args: string[]) {
    const io = bufferIO({ cwd: dir });
    const code = await main(args, io);
    return { code, out: io.out(), err: io.err() };
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "candor-render-cli-"));
    writeFileSync(join(dir, "report.json"), readFileSync(join(FIXTURES, "measured-a.json")));
    await run("keygen", "-o", "lab");
    await run("keygen", "-o", "other");
    await run("sign", "report.json", "--key", "lab.key", "-o", "signed.json");
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("shows a verified signature", async () => {
    expect((await run("render", "signed.json", "--key", "lab.pub", "-o", "page.html")).code).toBe(
      0,
    );
    const page = readFileSync(join(dir, "page.html"), "utf8");
    expect(page).toContain('data-signature="verified"');
    expect(page).toContain("signed by the publisher");
  });

  it("says plainly when a signature does not verify", async () => {
    const result = await run("render", "signed.json", "--key", "other.pub", "-o", "page.html");
    expect(result.code).toBe(0);
    expect(result.err).toContain("the signature was not verified");
    const page = readFileSync(join(dir, "page.html"), "utf8");
    expect(page).toContain('data-signature="unverified"');
    expect(page).toContain("signature NOT verified");
    expect(page).toContain("self-reported");
  });
});
