import { describe, expect, it } from "vitest";
import { calibrateThreshold, inCalibrationPart } from "../../src/probes/calibration.js";
import { canonicalJson, decodeFloat64, encodeFloat64 } from "../../src/probes/digest.js";
import { TrainingMatrix } from "../../src/probes/kernel.js";
import { minimiseLbfgs } from "../../src/probes/lbfgs.js";
import { logisticObjective } from "../../src/probes/logistic.js";
import { computeStandardisation } from "../../src/probes/standardise.js";
import { Gaussian } from "./synthetic.js";

/** Computes the objective directly, one row and one feature at a time. */
function naiveObjective(
  rows: Float32Array,
  labels: Uint8Array,
  count: number,
  dims: number,
  mean: Float64Array,
  std: Float64Array,
  l2: number,
  parameters: Float64Array,
) {
  const gradient = new Float64Array(dims + 1);
  let loss = 0;
  for (let i = 0; i < count; i++) {
    let z = parameters[dims] as number;
    for (let j = 0; j < dims; j++) {
      z +=
        ((parameters[j] as number) * ((rows[i * dims + j] as number) - (mean[j] as number))) /
        (std[j] as number);
    }
    const y = labels[i] as number;
    loss += Math.log1p(Math.exp(z)) - y * z;
    const r = 1 / (1 + Math.exp(-z)) - y;
    for (let j = 0; j < dims; j++) {
      gradient[j] =
        (gradient[j] as number) +
        (r * ((rows[i * dims + j] as number) - (mean[j] as number))) / (std[j] as number) / count;
    }
    gradient[dims] = (gradient[dims] as number) + r / count;
  }
  let penalty = 0;
  for (let j = 0; j < dims; j++) {
    penalty += (parameters[j] as number) ** 2;
    gradient[j] = (gradient[j] as number) + l2 * (parameters[j] as number);
  }
  return { value: loss / count + 0.5 * l2 * penalty, gradient };
}

describe("logistic objective kernel", () => {
  for (const [count, dims] of [
    [11, 7],
    [8, 6],
    [3, 5],
    [13, 64],
  ] as const) {
    it(`matches the direct formula for ${count} × ${dims}`, () => {
      const random = new Gaussian(count * 100 + dims);
      const matrix = new TrainingMatrix(count, dims);
      const labels = new Uint8Array(count);
      for (let i = 0; i < count * dims; i++) {
        matrix.rows[i] = 3 + 2 * random.normal();
      }
      for (let i = 0; i < count; i++) {
        labels[i] = random.uniform() < 0.5 ? 1 : 0;
      }
      const standardisation = computeStandardisation(matrix.rows, count, dims);
      const parameters = Float64Array.from({ length: dims + 1 }, () => random.normal());
      const objective = logisticObjective(matrix, labels, standardisation, 0.1);
      const gradient = new Float64Array(dims + 1);
      const value = objective(parameters, gradient);
      const expected = naiveObjective(
        matrix.rows,
        labels,
        count,
        dims,
        standardisation.mean,
        standardisation.std,
        0.1,
        parameters,
      );
      expect(value).toBeCloseTo(expected.value, 12);
      for (let j = 0; j <= dims; j++) {
        expect(gradient[j]).toBeCloseTo(expected.gradient[j] as number, 12);
      }
    });
  }

  it("rejects a matrix over 4 GiB", () => {
    expect(() => new TrainingMatrix(300_000, 4096)).toThrow(/4 GiB/);
  });
});

describe("L-BFGS", () => {
  it("minimises the Rosenbrock function", () => {
    const rosenbrock = (x: Float64Array, gradient: Float64Array) => {
      const [a, b] = [x[0] as number, x[1] as number];
      gradient[0] = -2 * (1 - a) - 400 * a * (b - a * a);
      gradient[1] = 200 * (b - a * a);
      return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
    };
    const result = minimiseLbfgs(rosenbrock, Float64Array.from([-1.2, 1]), {
      memory: 10,
      maxIterations: 200,
      gradientTolerance: 1e-9,
    });
    expect(result.stop).toBe("gradient_tolerance");
    expect(result.x[0]).toBeCloseTo(1, 6);
    expect(result.x[1]).toBeCloseTo(1, 6);
  });

  it("stops at the iteration limit", () => {
    const quadratic = (x: Float64Array, gradient: Float64Array) => {
      gradient[0] = 2 * (x[0] as number);
      gradient[1] = 2000 * (x[1] as number);
      return (x[0] as number) ** 2 + 1000 * (x[1] as number) ** 2;
    };
    const result = minimiseLbfgs(quadratic, Float64Array.from([1, 1]), {
      memory: 5,
      maxIterations: 1,
      gradientTolerance: 1e-12,
    });
    expect(result.stop).toBe("max_iterations");
    expect(result.iterations).toBe(1);
  });
});

describe("threshold calibration", () => {
  it("allows at most the target share above the threshold", () => {
    const scores = Array.from({ length: 200 }, (_, i) => i / 10);
    const result = calibrateThreshold(scores, 0.01);
    expect(result.allowedFalsePositives).toBe(2);
    expect(result.threshold).toBe(19.7);
    expect(result.falsePositives).toBe(2);
  });

  it("counts tied scores as not above", () => {
    const result = calibrateThreshold([5, 5, 5, 5, 1, 0], 0.34);
    expect(result.threshold).toBe(5);
    expect(result.falsePositives).toBe(0);
  });

  it("keeps floor(target × n) exact for decimal rates", () => {
    // 0.29 × 100 is 28.999999999999996 in float64.
    const scores = Array.from({ length: 100 }, (_, i) => i);
    expect(calibrateThreshold(scores, 0.29).allowedFalsePositives).toBe(29);
  });

  it("splits transcripts deterministically near the share", () => {
    const ids = Array.from({ length: 4000 }, (_, i) => `transcript-${i}`);
    const first = ids.filter((id) => inCalibrationPart(id, "seed", 0.5));
    const second = ids.filter((id) => inCalibrationPart(id, "seed", 0.5));
    expect(second).toEqual(first);
    // Binomial(4000, 0.5) lies within ±4 standard deviations (±126) of 2000 except with probability 6·10⁻⁵.
    expect(Math.abs(first.length - 2000)).toBeLessThan(126);
    expect(ids.filter((id) => inCalibrationPart(id, "other seed", 0.5))).not.toEqual(first);
  });
});

describe("artifact encoding", () => {
  it("canonicalises JSON with sorted keys", () => {
    expect(canonicalJson({ b: 1, a: [true, null, "x"], c: { z: 0.1, y: 1e21 } })).toBe(
      '{"a":[true,null,"x"],"b":1,"c":{"y":1e+21,"z":0.1}}',
    );
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/NaN/);
  });

  it("round-trips float64 vectors exactly", () => {
    const values = Float64Array.from([0.1, -0, 1e-310, Math.PI, -1e300]);
    const decoded = decodeFloat64(encodeFloat64(values));
    expect(decoded).not.toBeNull();
    expect(Array.from(decoded as Float64Array)).toEqual(Array.from(values));
    expect(decodeFloat64("AAAA")).toBeNull();
  });
});
