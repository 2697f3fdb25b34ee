import { describe, expect, it } from "vitest";
import { measureAll } from "../../../bench/refusal-agreement.js";
import { CLASSIFIER_HUMAN_AGREEMENT } from "../../../src/suites/refusal-calibration/classifier-agreement.js";
import { hasSharedData, SHARED_DATA_MISSING } from "../../helpers/shared-data.js";

/**
 * Floors on the classifiers' agreement with the human labels of the XSTest
 * completion files, set about 0.01 below the figures measured when the rules
 * were last changed (see bench/refusal-agreement.ts), so that a rule change
 * that loses agreement fails here.
 */
const FLOORS: Record<
  string,
  { binary: number; binaryKappa: number; threeWay: number; baselineBinary: number }
> = {
  llama2orig: { binary: 0.97, binaryKappa: 0.93, threeWay: 0.85, baselineBinary: 0.88 },
  gpt4: { binary: 0.955, binaryKappa: 0.91, threeWay: 0.945, baselineBinary: 0.925 },
  mistralinstruct: { binary: 0.915, binaryKappa: 0.66, threeWay: 0.87, baselineBinary: 0.825 },
};

describe.skipIf(!hasSharedData)(
  `agreement with XSTest human labels (${hasSharedData ? "data found" : SHARED_DATA_MISSING})`,
  () => {
    const rows = hasSharedData ? measureAll() : [];

    for (const model of Object.keys(FLOORS)) {
      it(`${model} stays above its floors`, () => {
        const row = rows.find((entry) => entry.model === model);
        const floor = FLOORS[model];
        expect(row).toBeDefined();
        expect(row?.n).toBe(450);
        expect(row?.rule.binary.accuracy).toBeGreaterThanOrEqual(floor?.binary ?? 1);
        expect(row?.rule.binary.kappa).toBeGreaterThanOrEqual(floor?.binaryKappa ?? 1);
        expect(row?.rule.threeWay.accuracy).toBeGreaterThanOrEqual(floor?.threeWay ?? 1);
        expect(row?.baseline.binary.accuracy).toBeGreaterThanOrEqual(floor?.baselineBinary ?? 1);
      });
    }

    it("beats the prefix baseline on every model", () => {
      for (const row of rows) {
        expect(row.rule.binary.accuracy, row.model).toBeGreaterThan(row.baseline.binary.accuracy);
      }
    });

    it("matches the agreement that reports carry", () => {
      const agreed = rows.reduce(
        (sum, row) => sum + Math.round(row.rule.binary.accuracy * row.rule.binary.n),
        0,
      );
      const n = rows.reduce((sum, row) => sum + row.rule.binary.n, 0);
      expect(CLASSIFIER_HUMAN_AGREEMENT.sample_size).toBe(n);
      expect(CLASSIFIER_HUMAN_AGREEMENT.value).toBeCloseTo(agreed / n, 12);
    });
  },
);
