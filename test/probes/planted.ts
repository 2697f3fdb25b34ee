import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Probe } from "../../src/probes/artifact.js";
import { normalCdf } from "../../src/stats/index.js";
import {
  Gaussian,
  type GeneratedSet,
  generateRows,
  npyFile,
  type Planted,
  plantProblem,
  type ResponseSpec,
  type StoredDtype,
  safetensorsFile,
} from "./synthetic.js";

/** Sizes of the planted data set shared by the probe tests. */
export const PLANTED = {
  dims: 32,
  /** Class means differ by this along the direction, per token, in noise standard deviations. */
  separation: 0.9,
  responseTokens: 4,
  promptTokens: 2,
  trainPerClass: 750,
  validationPerClass: 400,
  control: 4000,
  target: 2000,
  /** Share of target responses drawn from the positive class. */
  targetPositiveShare: 0.3,
} as const;

/**
 * Writes one activation file and index holding four sets (train, validation,
 * control, target) in shuffled response order, and a separate control file.
 */
export function writePlantedData(
  folder: string,
  formats: readonly { format: "safetensors" | "npy"; dtype: StoredDtype }[],
) {
  const planted = plantProblem(PLANTED.dims, PLANTED.separation, 11);
  const responses: ResponseSpec[] = [];
  const add = (
    count: number,
    set: string,
    make: (i: number) => Pick<ResponseSpec, "sign" | "label">,
  ) => {
    for (let i = 0; i < count; i++) {
      responses.push({ transcriptId: `${set}-${i}`, set, ...make(i) });
    }
  };
  add(2 * PLANTED.trainPerClass, "train", (i) =>
    i % 2 === 0 ? { sign: 1, label: "deceptive" } : { sign: -1, label: "honest" },
  );
  add(2 * PLANTED.validationPerClass, "validation", (i) =>
    i % 2 === 0 ? { sign: 1, label: "deceptive" } : { sign: -1, label: "honest" },
  );
  add(PLANTED.control, "control", () => ({ sign: -1, label: null }));
  const targetPositives = Math.round(PLANTED.target * PLANTED.targetPositiveShare);
  add(PLANTED.target, "target", (i) => ({ sign: i < targetPositives ? 1 : -1, label: null }));

  // Fisher–Yates with a seeded generator, so responses of different sets interleave.
  const shuffle = new Gaussian(5);
  for (let i = responses.length - 1; i > 0; i--) {
    const j = Math.floor(shuffle.uniform() * (i + 1));
    [responses[i], responses[j]] = [responses[j] as ResponseSpec, responses[i] as ResponseSpec];
  }
  const all = generateRows(planted, responses, PLANTED.responseTokens, PLANTED.promptTokens, 21);

  const controlOnly: ResponseSpec[] = [];
  for (let i = 0; i < PLANTED.control; i++) {
    controlOnly.push({ transcriptId: `extra-control-${i}`, set: "alpaca", sign: -1, label: null });
  }
  const control = generateRows(
    planted,
    controlOnly,
    PLANTED.responseTokens,
    PLANTED.promptTokens,
    31,
  );

  const files: Record<string, { activations: string; index: string }> = {};
  for (const { format, dtype } of formats) {
    const name = `${format}-${dtype}`;
    const activations = join(folder, `${name}.${format}`);
    writeFileSync(activations, encodeSet(all, format, dtype));
    files[name] = { activations, index: join(folder, "all.jsonl") };
  }
  writeFileSync(join(folder, "all.jsonl"), all.index);
  writeFileSync(join(folder, "control.npy"), encodeSet(control, "npy", "float32"));
  writeFileSync(join(folder, "control.jsonl"), control.index);
  return {
    planted,
    files,
    control: { activations: join(folder, "control.npy"), index: join(folder, "control.jsonl") },
    targetPositives,
  };
}

function encodeSet(set: GeneratedSet, format: "safetensors" | "npy", dtype: StoredDtype): Buffer {
  return format === "safetensors"
    ? safetensorsFile(set.rows, set.rowCount, PLANTED.dims, dtype)
    : npyFile(set.rows, set.rowCount, PLANTED.dims, dtype);
}

/**
 * Population behaviour of a trained probe on the planted distribution. In
 * whitened coordinates a token of class sign σ is N(σΔ/2·u, I); the probe's
 * raw-space weights vⱼ = wⱼ/stdⱼ act on whitened coordinates as qⱼ = vⱼ·scaleⱼ,
 * so a token's score is normal with mean m₀ + σ(Δ/2)(q·u) and variance ‖q‖²,
 * and the mean of T independent tokens has variance ‖q‖²/T.
 */
export function populationBehaviour(probe: Probe, planted: Planted, tokens: number) {
  const { dims, direction, featureMean, featureScale, separation } = planted;
  let offset = probe.artifact.bias;
  let alignment = 0;
  let normSquared = 0;
  let meanScore = 0;
  for (let j = 0; j < dims; j++) {
    const v = (probe.weights[j] as number) / (probe.std[j] as number);
    offset -= (probe.mean[j] as number) * v;
    const q = v * (featureScale[j] as number);
    alignment += q * (direction[j] as number);
    normSquared += q * q;
    meanScore += v * (featureMean[j] as number);
  }
  const norm = Math.sqrt(normSquared);
  const centre = offset + meanScore;
  const responseSd = norm / Math.sqrt(tokens);
  const shift = (separation / 2) * alignment;
  return {
    /** Cosine between the probe's whitened direction and the planted one. */
    cosine: alignment / norm,
    /** AUROC of mean-aggregated scores: Φ(Δ (q·u) / (‖q‖ √(2/T))). */
    auroc: normalCdf((separation * alignment) / (norm * Math.sqrt(2 / tokens))),
    /**
     * AUROC of max-aggregated scores: with token scores standardised so
     * negatives are N(0, 1) and positives N(δ, 1), δ = Δ (q·u)/‖q‖, the max of
     * T tokens has CDF Φ(z)ᵀ or Φ(z − δ)ᵀ, and AUROC = ∫ d[Φ(z − δ)ᵀ] Φ(z)ᵀ.
     */
    maxAuroc: integrateMaxAuroc((separation * alignment) / norm, tokens),
    /** Share of negative-class responses whose max token score is above t. */
    maxFalsePositiveRate: (t: number) => 1 - normalCdf((t - (centre - shift)) / norm) ** tokens,
    /** Share of negative-class responses scoring above t. */
    falsePositiveRate: (t: number) => 1 - normalCdf((t - (centre - shift)) / responseSd),
    /** Share of positive-class responses scoring above t. */
    truePositiveRate: (t: number) => 1 - normalCdf((t - (centre + shift)) / responseSd),
  };
}

function integrateMaxAuroc(delta: number, tokens: number): number {
  let sum = 0;
  const step = 0.001;
  for (let z = -12; z <= 12 + delta; z += step) {
    const density =
      ((tokens * Math.exp(-((z - delta) ** 2) / 2)) / Math.sqrt(2 * Math.PI)) *
      normalCdf(z - delta) ** (tokens - 1);
    sum += density * normalCdf(z) ** tokens * step;
  }
  return sum;
}

/**
 * Mean of p(1 − p) under the population logistic fit p = σ(Δ·t) with t the
 * whitened projection, t ~ N(±Δ/2, 1) with equal class shares, by the
 * trapezoid rule on [−10, 10].
 */
export function meanLogisticWeight(separation: number): number {
  let sum = 0;
  const step = 0.001;
  for (let t = -10; t <= 10; t += step) {
    const density =
      (0.5 *
        (Math.exp(-((t - separation / 2) ** 2) / 2) + Math.exp(-((t + separation / 2) ** 2) / 2))) /
      Math.sqrt(2 * Math.PI);
    const p = 1 / (1 + Math.exp(-separation * t));
    sum += density * p * (1 - p) * step;
  }
  return sum;
}

/**
 * Lower bound on the cosine between an estimated and the planted direction
 * when the estimate is the planted direction with length `signal` plus
 * independent noise of variance `noiseVariance` in each of the d − 1
 * orthogonal dimensions. Then tan²θ = ‖noise‖²/signal², and ‖noise‖² is
 * bounded by its mean times (1 + 4·sqrt(2/(d − 1))), four standard deviations
 * of the scaled chi-square. The margin also covers the asymptotic variance
 * formula for logistic regression, which ran about 15% low in trials at these sizes.
 */
export function cosineLowerBound(dims: number, noiseVariance: number, signal: number): number {
  const noiseBound = (dims - 1) * noiseVariance * (1 + 4 * Math.sqrt(2 / (dims - 1)));
  return 1 / Math.sqrt(1 + noiseBound / (signal * signal));
}
