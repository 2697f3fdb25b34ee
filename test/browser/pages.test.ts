/// <reference lib="dom" />
// The page.evaluate callbacks run in the browser, so this file needs the DOM types.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXAMPLES_DIR } from "../../src/paths.js";
import { buildSite, type SiteResult } from "../../src/report/site/build.js";
import type { Result } from "../../src/spec/generated/report.js";
import { loadRegistry } from "../../src/spec/registry.js";
import {
  CHROMIUM_MISSING,
  hasChromium,
  launchChromium,
  openRecordedPage,
  type StaticServer,
  serveFolder,
  type TestBrowser,
} from "./harness.js";

const FIXTURES = join(import.meta.dirname, "..", "fixtures", "reports");
const PUBLISHED = join(EXAMPLES_DIR, "published");
/** Screenshots are written here for people to look at; tests do not read them back. */
const SHOTS = "/tmp/candor-shots";

if (!hasChromium) {
  console.warn(`skipping browser tests: ${CHROMIUM_MISSING}`);
}

describe.skipIf(!hasChromium)("site pages in Chromium", () => {
  let input: string;
  let output: string;
  let site: SiteResult;
  let server: StaticServer;
  let chromium: TestBrowser;

  beforeAll(async () => {
    input = mkdtempSync(join(tmpdir(), "candor-browser-in-"));
    output = mkdtempSync(join(tmpdir(), "candor-browser-out-"));
    cpSync(FIXTURES, join(input, "fixtures"), { recursive: true });
    if (existsSync(PUBLISHED)) {
      cpSync(PUBLISHED, join(input, "published"), { recursive: true });
    }
    site = await buildSite({ inputDir: input, outputDir: output, registry: loadRegistry() });
    expect(site.skipped).toEqual([]);
    server = await serveFolder(output);
    chromium = await launchChromium();
    mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await chromium?.close();
    await server?.close();
    rmSync(input, { recursive: true, force: true });
    rmSync(output, { recursive: true, force: true });
  });

  function slugOf(reportId: string): string {
    const entry = site.model.reports.find((report) => report.opened.report.report_id === reportId);
    if (entry === undefined) {
      throw new Error(`report ${reportId} is not in the site`);
    }
    return entry.slug;
  }

  async function load(path: string, width = 1280) {
    const { page, record } = await openRecordedPage(chromium.context, width, 900);
    const response = await page.goto(`${server.origin}/${path}`, { waitUntil: "load" });
    expect(response?.status()).toBe(200);
    return { page, record };
  }

  it("loads every page with no error and no request but the page itself", async () => {
    const before = server.requests.length;
    for (const path of site.pages) {
      const url = `${server.origin}/${path.split("\\").join("/")}`;
      const { page, record } = await load(path);
      expect(record.consoleErrors, path).toEqual([]);
      expect(record.pageErrors, path).toEqual([]);
      expect(record.requests, path).toEqual([url]);
      await page.close();
    }
    expect(server.requests.length - before).toBe(site.pages.length);
  }, 300_000);

  it("shows in the matrix what every report says", async () => {
    const { page } = await load("index.html");
    const cells = await page.$$eval("table.matrix td[data-report]", (elements) =>
      elements.map((element) => ({
        metric: element.parentElement?.getAttribute("data-metric") ?? "",
        variant: element.parentElement?.getAttribute("data-variant") ?? "",
        report: element.getAttribute("data-report") ?? "",
        state: element.getAttribute("data-state") ?? "",
        text: element.textContent ?? "",
      })),
    );
    let checked = 0;
    for (const entry of site.model.reports) {
      for (const result of entry.opened.report.results as Result[]) {
        const cell = cells.find(
          (candidate) =>
            candidate.metric === result.metric &&
            candidate.variant === (result.variant ?? "") &&
            candidate.report === entry.slug,
        );
        expect(cell, `${entry.slug} ${result.metric}`).toBeDefined();
        expect(cell?.state).toBe(result.status);
        if (result.status === "reported" && result.value !== undefined) {
          // Proportions are shown as percentages: the printed number, read back, must round to the value.
          const shown = Number.parseFloat((cell?.text ?? "").replace(/,/g, ""));
          expect(
            Math.abs(shown / 100 - result.value),
            `${entry.slug} ${result.metric}: ${cell?.text}`,
          ).toBeLessThan(0.0006);
        } else {
          const label = result.status.replace(/_/g, " ").toUpperCase();
          expect(cell?.text).toContain(label);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(50);
    await page.close();
  });

  it("shows a report page's figures and statuses as in its JSON", async () => {
    const report = JSON.parse(readFileSync(join(FIXTURES, "measured-a.json"), "utf8")) as {
      report_id: string;
      results: Result[];
    };
    const { page } = await load(`reports/${slugOf(report.report_id)}.html`);
    for (const result of report.results) {
      const row = page.locator(
        `table.results tr[data-metric="${result.metric}"][data-variant="${result.variant ?? ""}"]`,
      );
      expect(await row.getAttribute("data-state")).toBe(result.status);
      if (result.status === "reported") {
        expect(Number(await row.locator(".value").getAttribute("data-value"))).toBe(result.value);
        expect(Number(await row.locator(".interval").getAttribute("data-lower"))).toBe(
          result.interval?.lower,
        );
        expect(Number(await row.locator(".interval").getAttribute("data-upper"))).toBe(
          result.interval?.upper,
        );
        expect(await row.locator("[data-sample-size]").textContent()).toBe(
          `n = ${result.sample_size}`,
        );
        expect(await row.locator("svg.interval-chart circle").count()).toBe(1);
      } else {
        expect(await row.locator(".status").textContent()).toContain(
          result.status.replace(/_/g, " ").toUpperCase(),
        );
      }
    }
    await page.screenshot({ path: join(SHOTS, "report-page.png"), fullPage: false });
    await page.close();
  });

  it("shows a hostile report's markup as text and runs none of it", async () => {
    const { page, record } = await load(`reports/${slugOf("hostile-report")}.html`);
    expect(
      await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned),
    ).toBeUndefined();
    expect(await page.evaluate(() => document.scripts.length)).toBe(0);
    expect(await page.locator("iframe, img, object, embed").count()).toBe(0);
    const handlers = await page.evaluate(() =>
      [...document.querySelectorAll("*")].flatMap((element) =>
        element.getAttributeNames().filter((name) => name.startsWith("on")),
      ),
    );
    expect(handlers).toEqual([]);
    // innerText is the text as rendered, so this checks what a reader is shown.
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's Locator.innerText, not the DOM property
    const text = await page.locator("body").innerText();
    expect(text).toContain('Evil "Lab" <script>window.__pwned=1</script>');
    expect(text).toContain('<iframe src="javascript:window.__pwned=5"></iframe>');
    expect(await page.title()).toContain("<b>Bold</b> model");
    expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
    expect(record.requests).toHaveLength(1);
    await page.close();
  });

  it("applies the Content-Security-Policy", async () => {
    const { page } = await load("index.html");
    const policy = await page
      .locator('meta[http-equiv="Content-Security-Policy"]')
      .getAttribute("content");
    expect(policy).toContain("default-src 'none'");
    await page.close();
  });

  it("has no horizontal overflow at 375 pixels", async () => {
    const paths = [
      "index.html",
      `reports/${slugOf("example-lab-chat-2025-06")}.html`,
      `reports/${slugOf("hostile-report")}.html`,
      "metrics/refusal.over_refusal_rate.html",
    ];
    for (const path of paths) {
      const { page } = await load(path, 375);
      const [scrollWidth, clientWidth] = await page.evaluate(() => [
        document.documentElement.scrollWidth,
        document.documentElement.clientWidth,
      ]);
      expect(scrollWidth, path).toBeLessThanOrEqual(clientWidth as number);
      await page.close();
    }
  });

  it("writes screenshots of the index and a report page", async () => {
    const { page } = await load("index.html");
    await page.screenshot({ path: join(SHOTS, "site-index.png"), fullPage: false });
    await page.close();
    const narrow = await load(`reports/${slugOf("example-lab-chat-2025-06")}.html`, 375);
    await narrow.page.screenshot({ path: join(SHOTS, "report-page-375.png"), fullPage: false });
    await narrow.page.close();
    expect(existsSync(join(SHOTS, "site-index.png"))).toBe(true);
    expect(relative(SHOTS, join(SHOTS, "report-page-375.png"))).toBe("report-page-375.png");
  });
});
