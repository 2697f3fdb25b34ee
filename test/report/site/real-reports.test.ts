import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bufferIO } from "../../../src/cli/io.js";
import { main } from "../../../src/cli/main.js";
import { hasSharedData, SHARED_DATA_MISSING, sharedDataPath } from "../../helpers/shared-data.js";

const MODELS = ["gpt4", "llama2orig", "mistralinstruct"] as const;

async function run(cwd: string, ...args: string[]) {
  const io = bufferIO({ cwd });
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

describe.skipIf(!hasSharedData)(
  `refusal reports scored from real XSTest completions${hasSharedData ? "" : ` (${SHARED_DATA_MISSING})`}`,
  () => {
    let dir: string;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "candor-real-"));
      for (const model of MODELS) {
        const responses = sharedDataPath("xstest", `xstest_v2_completions_${model}.csv`);
        // The completions file does not record the generation settings, so
        // the reports leave them out and the validator flags that.
        await run(
          dir,
          "score",
          "--suite",
          "refusal-calibration",
          "--responses",
          responses,
          "--out",
          join("reports", model),
          "--model-name",
          model,
        );
      }
    }, 300_000);

    afterAll(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    it("are compared without a difference, because their settings are not stated", async () => {
      const result = await run(
        dir,
        "compare",
        "--format",
        "json",
        ...MODELS.map((model) => join("reports", model, "report.json")),
      );
      expect(result.code).toBe(0);
      const comparison = JSON.parse(result.out) as {
        rows: {
          metric: string;
          cells: { value?: number; sampleSize?: number }[];
          pairs: { comparability: { class: string; reasons: string[] }; difference?: unknown }[];
        }[];
      };
      const overRefusal = comparison.rows.find((row) => row.metric === "refusal.over_refusal_rate");
      expect(overRefusal?.cells.map((cell) => cell.sampleSize)).toEqual([250, 250, 250]);
      for (const pair of overRefusal?.pairs ?? []) {
        expect(pair.comparability.class).toBe("same_suite_different_elicitation");
        expect(pair.comparability.reasons.join(" ")).toContain("temperature not stated");
        expect(pair.difference).toBeUndefined();
      }
    });

    it("build a site with a page per model", async () => {
      const result = await run(dir, "site", "reports", "-o", "site", "--json");
      expect(result.code).toBe(0);
      const summary = JSON.parse(result.out) as { reports: number; skipped: unknown[] };
      expect(summary.reports).toBe(MODELS.length);
      const metricPage = readFileSync(
        join(dir, "site", "metrics", "refusal.over_refusal_rate.html"),
        "utf8",
      );
      expect(metricPage.match(/data-state="reported"/g)).toHaveLength(MODELS.length);
      expect(metricPage).toContain("n=250");
    });
  },
);
