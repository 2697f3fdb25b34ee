/**
 * Benchmark of the tier-3 probe tools against scikit-learn and the arithmetic floor.
 *
 *   npx tsx bench/probes.ts [--rows 100000] [--dims 4096] [--apply-rows 200000]
 *                           [--test-rows 20000] [--dir /tmp] [--write-results] [--keep]
 *
 * It writes planted float32 activations to .npy files in a scratch folder,
 * 5.2 GB at the default sizes, after checking free space. Then it runs three
 * phases, each in its own process so peak memory is measured per phase:
 *   1. trains a logistic-regression probe with Candor (read + hash + standardise + L-BFGS);
 *   2. fits scikit-learn's LogisticRegression on the same .npy with the same
 *      objective and stopping rule (bench/probes_sklearn.py, run by /usr/bin/python3);
 *   3. applies the probe to the apply file, streamed from disk.
 * It also measures this machine's floating-point rate in Node, to put the
 * training time beside the time its arithmetic needs at that rate. The scratch
 * folder is deleted at the end unless --keep is given. --write-results
 * replaces the "## Probes" section of bench/RESULTS.md.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { applyProbe } from "../src/probes/apply.js";
import { readProbe } from "../src/probes/artifact.js";
import { TrainingMatrix } from "../src/probes/kernel.js";
import { trainProbe } from "../src/probes/train.js";
import { Gaussian, writeNpyStreaming } from "../test/probes/synthetic.js";

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = join(BENCH_DIR, "..");

interface Config {
  rows: number;
  dims: number;
  applyRows: number;
  testRows: number;
  l2: number;
  gradientTolerance: number;
  maxIterations: number;
  folder: string;
}

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] !== undefined
    ? (process.argv[at + 1] as string)
    : fallback;
}

const TOKENS_PER_RESPONSE = 10;
const FACTORS = 8;
/** Class means differ by this along the planted direction, in noise units. */
const SEPARATION = 2.5;

/**
 * Activations with a planted direction and correlated noise: x = m + s ∘ (±Δ/2·u + F f + ε)
 * with f ~ N(0, I₈) and loadings F ~ N(0, 0.5²). The covariance then has eight
 * directions about 1,000 times stronger than the rest, so the problem is
 * ill-conditioned and both solvers need many iterations.
 */
function makeGenerator(dims: number, seed: number) {
  const structure = new Gaussian(1234);
  const direction = new Float64Array(dims);
  let norm = 0;
  for (let j = 0; j < dims; j++) {
    direction[j] = structure.normal();
    norm += (direction[j] as number) ** 2;
  }
  const loadings = new Float64Array(dims * FACTORS);
  const mean = new Float64Array(dims);
  const scale = new Float64Array(dims);
  for (let j = 0; j < dims; j++) {
    direction[j] = (direction[j] as number) / Math.sqrt(norm);
    mean[j] = structure.normal();
    scale[j] = 0.5 + 1.5 * structure.uniform();
    for (let k = 0; k < FACTORS; k++) {
      loadings[j * FACTORS + k] = 0.5 * structure.normal();
    }
  }
  const random = new Gaussian(seed);
  const factors = new Float64Array(FACTORS);
  return (sign: number, target: Float32Array, offset: number) => {
    for (let k = 0; k < FACTORS; k++) {
      factors[k] = random.normal();
    }
    for (let j = 0; j < dims; j++) {
      let value = (sign * SEPARATION * (direction[j] as number)) / 2 + random.normal();
      for (let k = 0; k < FACTORS; k++) {
        value += (loadings[j * FACTORS + k] as number) * (factors[k] as number);
      }
      target[offset + j] = (mean[j] as number) + (scale[j] as number) * value;
    }
  };
}

/** Writes rows and an index. Responses alternate deceptive and honest, or are unlabelled targets. */
function writeSet(config: Config, name: string, rows: number, seed: number, labelled: boolean) {
  const generate = makeGenerator(config.dims, seed);
  const signOf = (row: number) => (Math.floor(row / TOKENS_PER_RESPONSE) % 2 === 0 ? 1 : -1);
  writeNpyStreaming(
    join(config.folder, `${name}.npy`),
    rows,
    config.dims,
    (start, count, block) => {
      for (let r = 0; r < count; r++) {
        generate(signOf(start + r), block, r * config.dims);
      }
    },
  );
  const lines: string[] = [];
  for (let row = 0; row < rows; row++) {
    let label: string | null = null;
    if (labelled) {
      label = signOf(row) === 1 ? "deceptive" : "honest";
    }
    lines.push(
      JSON.stringify({
        transcript_id: `${name}-${Math.floor(row / TOKENS_PER_RESPONSE)}`,
        token_position: row % TOKENS_PER_RESPONSE,
        in_response: true,
        label,
        set: name,
      }),
    );
  }
  writeFileSync(join(config.folder, `${name}.jsonl`), `${lines.join("\n")}\n`);
}

/** CPU seconds (user + system) of this process since `since`. */
function cpuSeconds(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
}

/**
 * Best-of-30 rates of three in-cache kernels, in GFLOP per CPU second and
 * counting a multiply-add as 2 flops. CPU time, not wall time, because the
 * machine is shared and wall time includes waiting for a core. Many short
 * attempts make it likely that one runs while the core is not contended.
 */
function measureFlopRate(dims: number) {
  const rows = 16;
  const x = new Float32Array(rows * dims);
  const v = new Float64Array(dims);
  const random = new Gaussian(7);
  for (let i = 0; i < x.length; i++) {
    x[i] = random.normal();
  }
  for (let j = 0; j < dims; j++) {
    v[j] = random.normal() * 1e-3;
  }
  const best = (flops: number, body: () => void) => {
    let fastest = Number.POSITIVE_INFINITY;
    for (let attempt = 0; attempt < 30; attempt++) {
      const started = process.cpuUsage();
      body();
      fastest = Math.min(fastest, cpuSeconds(started));
    }
    return flops / fastest / 1e9;
  };
  const repeats = 200;
  let sink = 0;
  const dot = best(2 * rows * dims * repeats, () => {
    for (let k = 0; k < repeats; k++) {
      for (let i = 0; i < rows; i++) {
        let sum = 0;
        const offset = i * dims;
        for (let j = 0; j < dims; j++) {
          sum += (x[offset + j] as number) * (v[j] as number);
        }
        sink += sum;
      }
    }
  });
  const unrolled = best(2 * rows * dims * repeats, () => {
    for (let k = 0; k < repeats; k++) {
      for (let i = 0; i < rows; i++) {
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        const offset = i * dims;
        for (let j = 0; j < dims; j += 4) {
          s0 += (x[offset + j] as number) * (v[j] as number);
          s1 += (x[offset + j + 1] as number) * (v[j + 1] as number);
          s2 += (x[offset + j + 2] as number) * (v[j + 2] as number);
          s3 += (x[offset + j + 3] as number) * (v[j + 3] as number);
        }
        sink += s0 + s1 + s2 + s3;
      }
    }
  });
  // The training kernels themselves (WebAssembly SIMD): the dot products and the gradient
  // update of 16 rows that stay in cache, without the objective's per-call O(d) work.
  const matrix = new TrainingMatrix(rows, dims);
  matrix.rows.set(x);
  matrix.v.set(v);
  const kernelRepeats = 200;
  const kernel = best(4 * rows * dims * kernelRepeats, () => {
    for (let k = 0; k < kernelRepeats; k++) {
      for (let first = 0; first < rows; first += 4) {
        matrix.dots4(first);
        matrix.axpy4(first);
      }
    }
  });
  if (sink === 42) {
    console.log("");
  }
  return { dot, unrolled, kernel };
}

function runChild(phase: string, config: Config): Record<string, unknown> {
  const tsx = join(ROOT, "node_modules", ".bin", "tsx");
  const child = spawnSync(
    tsx,
    [fileURLToPath(import.meta.url), "--phase", phase, "--config", JSON.stringify(config)],
    {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  if (child.status !== 0) {
    throw new Error(`phase ${phase} failed with exit code ${child.status}`);
  }
  return JSON.parse(child.stdout.trim().split("\n").at(-1) as string);
}

function trainPhase(config: Config) {
  let readDone = 0;
  let firstIteration = 0;
  // Fit wall and CPU seconds and objective after each iteration, to find when Candor matched scikit-learn.
  const trajectory: [number, number, number][] = [];
  let cpuAtFirstIteration: NodeJS.CpuUsage | undefined;
  const cpuStarted = process.cpuUsage();
  const started = performance.now();
  const artifact = trainProbe({
    activationsPath: join(config.folder, "train.npy"),
    indexPath: join(config.folder, "train.jsonl"),
    layer: 0,
    kind: "logistic_regression",
    aggregation: "mean",
    l2: config.l2,
    maxIterations: config.maxIterations,
    gradientTolerance: config.gradientTolerance,
    positiveLabel: "deceptive",
    negativeLabel: "honest",
    createdBy: "candor bench",
    onProgress: (event) => {
      if (event.phase === "read") {
        readDone = performance.now();
      } else {
        if (firstIteration === 0) {
          firstIteration = performance.now();
          cpuAtFirstIteration = process.cpuUsage();
        }
        trajectory.push([
          (performance.now() - firstIteration) / 1000,
          cpuAtFirstIteration === undefined ? 0 : cpuSeconds(cpuAtFirstIteration),
          event.objective,
        ]);
      }
    },
  });
  const finished = performance.now();
  const cpuTotal = cpuSeconds(cpuStarted);
  const cpuFit = cpuAtFirstIteration === undefined ? 0 : cpuSeconds(cpuAtFirstIteration);
  writeFileSync(join(config.folder, "probe.json"), JSON.stringify(artifact));
  return {
    cpu_seconds_total: cpuTotal,
    cpu_seconds_fit: cpuFit,
    seconds_total: (finished - started) / 1000,
    seconds_read_and_hash: (readDone - started) / 1000,
    seconds_standardise: (firstIteration - readDone) / 1000,
    seconds_fit: (finished - firstIteration) / 1000,
    iterations: artifact.training.iterations,
    evaluations: artifact.training.evaluations,
    stop: artifact.training.stop,
    objective: artifact.training.objective,
    gradient_max_norm: artifact.training.gradient_max_norm,
    peak_rss_kib: process.resourceUsage().maxRSS,
    trajectory,
  };
}

function applyPhase(config: Config) {
  const probe = readProbe(join(config.folder, "probe.json"));
  const cpuStarted = process.cpuUsage();
  const started = performance.now();
  const application = applyProbe(probe, {
    target: {
      activationsPath: join(config.folder, "apply.npy"),
      indexPath: join(config.folder, "apply.jsonl"),
    },
    threshold: 0,
    level: 0.95,
  });
  const seconds = (performance.now() - started) / 1000;
  return {
    seconds,
    cpu_seconds: cpuSeconds(cpuStarted),
    responses: application.target.responses,
    activation_rate: application.target.activation_rate.value,
    bytes: application.target.set.activations.bytes,
    peak_rss_kib: process.resourceUsage().maxRSS,
  };
}

function formatSeconds(seconds: number): string {
  return seconds >= 100 ? seconds.toFixed(0) : seconds.toPrecision(3);
}

function gib(kib: number): string {
  return (kib / 2 ** 20).toFixed(2);
}

function writeResults(markdown: string): void {
  const path = join(BENCH_DIR, "RESULTS.md");
  const existing = existsSync(path) ? readFileSync(path, "utf8") : "# Benchmark results\n";
  const start = existing.indexOf("\n## Probes\n");
  let updated: string;
  if (start < 0) {
    updated = `${existing.trimEnd()}\n\n${markdown}`;
  } else {
    const next = existing.indexOf("\n## ", start + 1);
    updated = `${existing.slice(0, start + 1)}${markdown}${next < 0 ? "" : `\n${existing.slice(next + 1)}`}`;
  }
  writeFileSync(path, `${updated.trimEnd()}\n`);
}

async function orchestrate() {
  const parent = option("dir", tmpdir());
  const config: Config = {
    rows: Number(option("rows", "100000")),
    dims: Number(option("dims", "4096")),
    applyRows: Number(option("apply-rows", "200000")),
    testRows: Number(option("test-rows", "20000")),
    l2: Number(option("l2", "0.001")),
    gradientTolerance: Number(option("tolerance", "1e-6")),
    maxIterations: Number(option("max-iterations", "1000")),
    folder: "",
  };
  const needed = (config.rows + config.applyRows + config.testRows) * config.dims * 4;
  const stats = statfsSync(parent);
  const free = stats.bavail * stats.bsize;
  if (free < needed * 1.2 + 2 ** 30) {
    throw new Error(
      `${parent} has ${(free / 2 ** 30).toFixed(1)} GiB free, but the benchmark writes ${(needed / 2 ** 30).toFixed(1)} GiB; pass --dir`,
    );
  }
  config.folder = mkdtempSync(join(parent, "candor-probe-bench-"));
  console.error(
    `scratch folder ${config.folder}: ${(free / 2 ** 30).toFixed(1)} GiB free, writing ${(needed / 2 ** 30).toFixed(1)} GiB`,
  );

  try {
    // The rate is measured before generation, after training and at the end, and the best of each kernel kept.
    const rates = [measureFlopRate(config.dims)];
    const rate = () => ({
      dot: Math.max(...rates.map((r) => r.dot)),
      unrolled: Math.max(...rates.map((r) => r.unrolled)),
      kernel: Math.max(...rates.map((r) => r.kernel)),
    });
    console.error("Node rate (GFLOP per CPU second)", rates[0]);

    let started = performance.now();
    writeSet(config, "train", config.rows, 1, true);
    writeSet(config, "test", config.testRows, 2, true);
    writeSet(config, "apply", config.applyRows, 3, false);
    console.error(`generated the data in ${((performance.now() - started) / 1000).toFixed(0)} s`);

    const loadAtStart = loadavg()[0] as number;
    started = performance.now();
    const candor = runChild("train", config);
    rates.push(measureFlopRate(config.dims));
    const { trajectory: _trajectory, ...trainSummary } = candor;
    console.error("candor train", trainSummary);
    const sklearnConfig = {
      rows: config.rows,
      l2: config.l2,
      gradient_tolerance: config.gradientTolerance,
      max_iterations: config.maxIterations,
      train: join(config.folder, "train.npy"),
      train_index: join(config.folder, "train.jsonl"),
      test: join(config.folder, "test.npy"),
      test_index: join(config.folder, "test.jsonl"),
      probe: join(config.folder, "probe.json"),
    };
    const python = spawnSync(
      "/usr/bin/python3",
      [join(BENCH_DIR, "probes_sklearn.py"), JSON.stringify(sklearnConfig)],
      {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    if (python.status !== 0) {
      throw new Error(`probes_sklearn.py failed with exit code ${python.status}`);
    }
    const sklearn = JSON.parse(python.stdout.trim().split("\n").at(-1) as string);
    console.error("scikit-learn", sklearn);
    const apply = runChild("apply", config);
    console.error("candor apply", apply);
    rates.push(measureFlopRate(config.dims));
    const { dot, unrolled, kernel } = rate();

    const evaluations = candor.evaluations as number;
    const flopsPerEvaluation = 4 * config.rows * config.dims;
    const bestRate = Math.max(dot, unrolled, kernel);
    const floorSeconds = (evaluations * flopsPerEvaluation) / (bestRate * 1e9);
    const fitSeconds = candor.seconds_fit as number;
    const sklearnFit = sklearn.seconds_fit as number;
    const sklearnTotal =
      (sklearn.seconds_load as number) + (sklearn.seconds_standardise as number) + sklearnFit;
    const trajectory = candor.trajectory as [number, number, number][];
    const matched = trajectory.findIndex(
      ([, , objective]) => objective <= (sklearn.objective_sklearn as number),
    );
    const [matchedWall, matchedCpu] =
      matched < 0 ? [Number.NaN, Number.NaN] : (trajectory[matched] as [number, number, number]);
    const matchedRow =
      matched < 0
        ? "| fit to scikit-learn's final objective | not reached | |"
        : `| fit to scikit-learn's final objective | ${formatSeconds(matchedWall)} s wall, ${formatSeconds(matchedCpu)} s CPU, ${matched} iterations | ${formatSeconds(sklearnFit)} s wall, ${formatSeconds(sklearn.cpu_seconds_fit as number)} s CPU |`;
    const applyGb = (apply.bytes as number) / 1e9;
    const cpu = cpus()[0]?.model ?? "unknown CPU";

    const fitRate = (evaluations * flopsPerEvaluation) / (candor.cpu_seconds_fit as number) / 1e9;
    // On a contended core even the in-cache measurement can come out below the streaming fit.
    const floorNote =
      fitRate > bestRate
        ? " The fit ran faster than the in-cache measurement, so every measurement ran on a contended core and this floor is too high."
        : "";
    const markdown = [
      "## Probes",
      "",
      `Command: \`npx tsx bench/probes.ts --write-results\` (rows ${config.rows}, dims ${config.dims}, apply rows ${config.applyRows}, test rows ${config.testRows}, λ = ${config.l2}, gradient tolerance ${config.gradientTolerance}).`,
      `Machine: ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}, shared with other jobs (1-minute load average ${loadAtStart.toFixed(2)} when training started and ${(loadavg()[0] as number).toFixed(2)} at the end), so wall times include waiting for a core and CPU times are the steadier comparison.`,
      "The activation files were written just before they were read, so they were read from the page cache, not from the disk.",
      "",
      `Data: float32 .npy, planted direction with class separation ${SEPARATION} noise units plus ${FACTORS} strong correlated factors, ${TOKENS_PER_RESPONSE} tokens per response, classes balanced.`,
      "",
      "| step | Candor (Node, 1 thread) | scikit-learn " +
        `${sklearn.sklearn_version} (OpenBLAS ${sklearn.blas.map((b: { num_threads: number }) => b.num_threads).join("/")} threads)` +
        " |",
      "| --- | --- | --- |",
      `| read ${config.rows} × ${config.dims} rows | ${formatSeconds(candor.seconds_read_and_hash as number)} s (with sha256 of the file) | ${formatSeconds(sklearn.seconds_load as number)} s (np.load, cast to float64) |`,
      `| standardise | ${formatSeconds(candor.seconds_standardise as number)} s | ${formatSeconds(sklearn.seconds_standardise as number)} s |`,
      `| fit (L-BFGS), wall | ${formatSeconds(fitSeconds)} s, ${candor.iterations} iterations, ${evaluations} evaluations | ${formatSeconds(sklearnFit)} s, ${sklearn.iterations} iterations |`,
      `| fit, CPU (all threads) | ${formatSeconds(candor.cpu_seconds_fit as number)} s | ${formatSeconds(sklearn.cpu_seconds_fit as number)} s |`,
      matchedRow,
      `| total, wall | ${formatSeconds(candor.seconds_total as number)} s | ${formatSeconds(sklearnTotal)} s |`,
      `| total, CPU | ${formatSeconds(candor.cpu_seconds_total as number)} s | ${formatSeconds(sklearn.cpu_seconds_total as number)} s |`,
      `| peak memory (max RSS) | ${gib(candor.peak_rss_kib as number)} GiB | ${gib(sklearn.peak_rss_kib as number)} GiB |`,
      `| objective (Candor's form) at the solution | ${(sklearn.objective_candor as number).toPrecision(10)} | ${(sklearn.objective_sklearn as number).toPrecision(10)} |`,
      `| held-out accuracy (${config.testRows} rows) | ${(sklearn.test_accuracy_candor as number).toFixed(4)} | ${(sklearn.test_accuracy_sklearn as number).toFixed(4)} |`,
      `| held-out AUROC | ${(sklearn.test_auroc_candor as number).toFixed(5)} | ${(sklearn.test_auroc_sklearn as number).toFixed(5)} |`,
      "",
      `Cosine between the two weight vectors: ${(sklearn.cosine_between_solutions as number).toFixed(6)}. Candor stopped by ${candor.stop} (max |gradient| ${(candor.gradient_max_norm as number).toExponential(2)}); scikit-learn used the same objective, with C = 1/(n·λ) and tol = n × the gradient tolerance, because its lbfgs objective is n times Candor's; SciPy's L-BFGS-B also stops when the objective's relative decrease falls below 2.2·10⁻⁹, which usually ends it first, so the table also gives the time Candor took to reach scikit-learn's final objective value.`,
      "",
      `Arithmetic floor: one evaluation of loss and gradient is 4·n·d = ${(flopsPerEvaluation / 1e9).toFixed(2)} GFLOP (a multiply-add counted as 2). Measured in Node on in-cache data, per CPU second, best of three measurements during the run: ${dot.toFixed(2)} GFLOP for a plain JavaScript dot product, ${unrolled.toFixed(2)} with four accumulators, ${kernel.toFixed(2)} for the WebAssembly SIMD training kernels (dot products and gradient update). At the best of these, ${evaluations} evaluations need ${formatSeconds(floorSeconds)} CPU seconds. The fit used ${formatSeconds(candor.cpu_seconds_fit as number)} CPU seconds, ${((candor.cpu_seconds_fit as number) / floorSeconds).toFixed(2)} × that floor (${((evaluations * flopsPerEvaluation) / (candor.cpu_seconds_fit as number) / 1e9).toFixed(2)} GFLOP per CPU second). Each evaluation streams the ${((config.rows * config.dims * 4) / 1e9).toFixed(2)} GB matrix from memory once, while the floor's kernel runs on data in cache.${floorNote}`,
      "",
      `Apply: ${config.applyRows} rows (${applyGb.toFixed(2)} GB) streamed from the .npy file in 64 MiB blocks, scored, aggregated over ${apply.responses} responses, with the file's sha256: ${formatSeconds(apply.seconds as number)} s wall (${(applyGb / (apply.seconds as number)).toFixed(2)} GB/s), ${formatSeconds(apply.cpu_seconds as number)} s CPU (${(applyGb / (apply.cpu_seconds as number)).toFixed(2)} GB per CPU second), peak memory ${gib(apply.peak_rss_kib as number)} GiB.`,
      "",
      `Memory: training holds the ${config.rows} × ${config.dims} float32 rows in memory (${((config.rows * config.dims * 4) / 2 ** 30).toFixed(2)} GiB); scikit-learn's lbfgs solver needs float64, so it holds twice that.`,
      "",
    ].join("\n");
    console.log(markdown);
    if (process.argv.includes("--write-results")) {
      writeResults(markdown);
    }
  } finally {
    if (!process.argv.includes("--keep")) {
      rmSync(config.folder, { recursive: true, force: true });
    }
  }
}

const phase = option("phase", "");
if (phase === "") {
  await orchestrate();
} else {
  const config = JSON.parse(option("config", "{}")) as Config;
  const result = phase === "train" ? trainPhase(config) : applyPhase(config);
  console.log(JSON.stringify(result));
}
