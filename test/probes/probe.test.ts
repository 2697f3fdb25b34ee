import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyProbe } from "../../src/probes/apply.js";
import { type Probe, parseProbe } from "../../src/probes/artifact.js";
import { evaluateProbe } from "../../src/probes/evaluate.js";
import { type TrainOptions, trainProbe } from "../../src/probes/train.js";
import {
  cosineLowerBound,
  meanLogisticWeight,
  PLANTED,
  populationBehaviour,
  writePlantedData,
} from "./planted.js";
import type { StoredDtype } from "./synthetic.js";

const formats = (["float32", "float16", "bfloat16"] as StoredDtype[]).flatMap((dtype) =>
  (["safetensors", "npy"] as const).map((format) => ({ format, dtype })),
);

const folder = mkdtempSync(join(tmpdir(), "candor-probe-planted-"));
let data: ReturnType<typeof writePlantedData>;

beforeAll(() => {
  data = writePlantedData(folder, formats);
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function train(name: string, overrides: Partial<TrainOptions> = {}): Probe {
  const files = data.files[name];
  if (files === undefined) {
    throw new Error(`no planted file ${name}`);
  }
  const artifact = trainProbe({
    activationsPath: files.activations,
    indexPath: files.index,
    layer: 7,
    kind: "logistic_regression",
    aggregation: "mean",
    l2: 1e-3,
    maxIterations: 500,
    gradientTolerance: 1e-7,
    sets: ["train"],
    positiveLabel: "deceptive",
    negativeLabel: "honest",
    createdBy: "candor test",
    ...overrides,
  });
  return parseProbe("memory", JSON.parse(JSON.stringify(artifact)));
}

// Intervals in these checks are 99% intervals, so each population value falls
// outside its interval with probability about 1% for the fixed seeds used.
const LEVEL = 0.99;

describe("probe on planted activations", () => {
  const trainingTokens = 2 * PLANTED.trainPerClass * PLANTED.responseTokens;

  for (const { format, dtype } of formats) {
    const name = `${format}-${dtype}`;

    it(`recovers the direction and rates from ${name}`, () => {
      const probe = train(name);
      expect(probe.artifact.training.stop).toBe("gradient_tolerance");
      expect(probe.artifact.training.rows).toBe(trainingTokens);

      // Logistic regression on N(±Δ/2·u, I) classes: the population weight is Δ·u, and
      // each orthogonal component of the estimate has variance ≈ 1/(n·E[p(1−p)]).
      const population = populationBehaviour(probe, data.planted, PLANTED.responseTokens);
      const noiseVariance = 1 / (trainingTokens * meanLogisticWeight(PLANTED.separation));
      const bound = cosineLowerBound(PLANTED.dims, noiseVariance, PLANTED.separation);
      expect(bound).toBeGreaterThan(0.95);
      expect(population.cosine).toBeGreaterThan(bound);

      const files = data.files[name] as { activations: string; index: string };
      const evaluation = evaluateProbe(probe, {
        validation: { activationsPath: files.activations, indexPath: files.index },
        validationSets: ["validation"],
        controlSets: ["control"],
        targetFalsePositiveRate: 0.01,
        calibrationShare: 0.5,
        seed: "planted",
        level: LEVEL,
      });
      const { auroc } = evaluation.validation;
      expect(auroc.positives).toBe(PLANTED.validationPerClass);
      expect(auroc.negatives).toBe(PLANTED.validationPerClass);
      expect(auroc.interval.lower).toBeLessThanOrEqual(population.auroc);
      expect(auroc.interval.upper).toBeGreaterThanOrEqual(population.auroc);

      // Given the threshold, held-out false positives are Binomial(n, FPR(t)) exactly.
      const { calibration } = evaluation;
      expect(calibration.calibration_responses + calibration.held_out_responses).toBe(
        PLANTED.control,
      );
      expect(calibration.calibration_false_positives).toBeLessThanOrEqual(
        0.01 * calibration.calibration_responses,
      );
      const trueRate = population.falsePositiveRate(calibration.threshold);
      const realised = calibration.realised_false_positive_rate;
      expect(realised.interval.lower).toBeLessThanOrEqual(trueRate);
      expect(realised.interval.upper).toBeGreaterThanOrEqual(trueRate);
      // A threshold set on n ≈ 2,000 control responses lands within about three standard errors of the target.
      expect(Math.abs(trueRate - 0.01)).toBeLessThan(
        3 * Math.sqrt((0.01 * 0.99) / calibration.calibration_responses),
      );

      const application = applyProbe(probe, {
        target: { activationsPath: files.activations, indexPath: files.index },
        sets: ["target"],
        evaluation,
        level: LEVEL,
      });
      const rate = application.target.activation_rate;
      expect(rate.sample_size).toBe(PLANTED.target);
      expect(rate.interval.method).toBe("wilson");
      const share = data.targetPositives / PLANTED.target;
      const expectedRate =
        share * population.truePositiveRate(calibration.threshold) +
        (1 - share) * population.falsePositiveRate(calibration.threshold);
      expect(rate.interval.lower).toBeLessThanOrEqual(expectedRate);
      expect(rate.interval.upper).toBeGreaterThanOrEqual(expectedRate);
    });
  }

  it("recovers the direction by difference of means", () => {
    const probe = train("npy-float32", { kind: "difference_of_means" });
    expect(probe.artifact.kind).toBe("difference_of_means");
    // The estimated mean difference is Δ·u plus noise of variance 1/n₊ + 1/n₋ per whitened dimension.
    const perClass = PLANTED.trainPerClass * PLANTED.responseTokens;
    const bound = cosineLowerBound(PLANTED.dims, 2 / perClass, PLANTED.separation);
    const population = populationBehaviour(probe, data.planted, PLANTED.responseTokens);
    expect(population.cosine).toBeGreaterThan(bound);
  });

  it("trains bit-identically on a copy of the same bytes", () => {
    const first = train("safetensors-bfloat16");
    const copy = join(folder, "copy.safetensors");
    copyFileSync((data.files["safetensors-bfloat16"] as { activations: string }).activations, copy);
    data.files.copy = {
      activations: copy,
      index: (data.files["safetensors-bfloat16"] as { index: string }).index,
    };
    const second = train("copy");
    expect(second.artifact.digest).toBe(first.artifact.digest);
    expect(second.artifact.weights).toBe(first.artifact.weights);
    expect(second.artifact.training_set.digest).toBe(first.artifact.training_set.digest);
  });

  it("scores max aggregation on response tokens only", () => {
    // Prompt tokens sit 4 noise units along the direction in both classes: were
    // they scored, the max would come from them and the AUROC would fall to about 0.5.
    const probe = train("npy-float32", { aggregation: "max" });
    const population = populationBehaviour(probe, data.planted, PLANTED.responseTokens);
    const files = data.files["npy-float32"] as { activations: string; index: string };
    const evaluation = evaluateProbe(probe, {
      validation: { activationsPath: files.activations, indexPath: files.index },
      validationSets: ["validation"],
      control: { activationsPath: data.control.activations, indexPath: data.control.index },
      targetFalsePositiveRate: 0.05,
      calibrationShare: 0.5,
      seed: "other",
      level: LEVEL,
    });
    const { auroc } = evaluation.validation;
    expect(population.maxAuroc).toBeGreaterThan(0.7);
    expect(auroc.interval.lower).toBeLessThanOrEqual(population.maxAuroc);
    expect(auroc.interval.upper).toBeGreaterThanOrEqual(population.maxAuroc);

    const { calibration } = evaluation;
    expect(calibration.calibration_responses + calibration.held_out_responses).toBe(
      PLANTED.control,
    );
    const trueRate = population.maxFalsePositiveRate(calibration.threshold);
    expect(calibration.realised_false_positive_rate.interval.lower).toBeLessThanOrEqual(trueRate);
    expect(calibration.realised_false_positive_rate.interval.upper).toBeGreaterThanOrEqual(
      trueRate,
    );
  });
});
