import { createHash } from "node:crypto";
import { quote } from "../errors.js";
import { ActivationFile, type OpenActivationsOptions } from "./activation-file.js";
import { checkIndexMatches, readActivationIndex } from "./activation-index.js";
import { type Aggregation, buildArtifact, type ProbeArtifact, type ProbeKind } from "./artifact.js";
import { fitDifferenceOfMeans } from "./diffmean.js";
import { sha256Digest } from "./digest.js";
import { ProbeDataError } from "./errors.js";
import { TrainingMatrix } from "./kernel.js";
import { fitLogistic } from "./logistic.js";
import { blockRowsFor, type ProgressListener } from "./progress.js";
import { groupResponses } from "./responses.js";
import { computeStandardisation } from "./standardise.js";

export interface TrainOptions extends OpenActivationsOptions {
  activationsPath: string;
  indexPath: string;
  layer: number;
  kind: ProbeKind;
  aggregation: Aggregation;
  /** L2 penalty λ on standardised weights (logistic regression only). */
  l2: number;
  maxIterations: number;
  gradientTolerance: number;
  /** Keep only responses whose index set is listed; every set when absent. */
  sets?: readonly string[];
  positiveLabel: string;
  negativeLabel: string;
  /** Tool name and version recorded in the artifact, for example "candor 0.1.0". */
  createdBy: string;
  onProgress?: ProgressListener;
}

/**
 * Trains a probe on the response tokens of labelled responses. Every
 * response token is one training example with its response's label, as in
 * token-level deception probes; prompt tokens and unlabelled responses are
 * skipped. The file is read once, sequentially, and the rows used are held in
 * memory as float32 (rows × dims × 4 bytes: 1.6 GB for 100,000 × 4,096), in a
 * WebAssembly memory, which limits them to 4 GiB.
 */
export function trainProbe(options: TrainOptions): ProbeArtifact {
  const index = readActivationIndex(options.indexPath);
  const file = ActivationFile.open(options.activationsPath, options);
  try {
    checkIndexMatches(index, file.path, file.rows);
    const dims = file.dims;

    const units = groupResponses(index, options.sets);
    const labelOf = new Int8Array(file.rows).fill(-1);
    let positiveRows = 0;
    let negativeRows = 0;
    let responses = 0;
    for (const unit of units) {
      const positive = unit.label === options.positiveLabel;
      if (!positive && unit.label !== options.negativeLabel) {
        continue;
      }
      responses++;
      for (const row of unit.rows) {
        labelOf[row] = positive ? 1 : 0;
      }
      if (positive) {
        positiveRows += unit.rows.length;
      } else {
        negativeRows += unit.rows.length;
      }
    }
    if (positiveRows === 0 || negativeRows === 0) {
      throw new ProbeDataError(
        "probe.train.one_class",
        `training needs response tokens labelled ${quote(options.positiveLabel)} and ${quote(options.negativeLabel)}, but ${quote(options.indexPath)} has ${positiveRows} and ${negativeRows}${options.sets === undefined ? "" : ` in sets ${quote(options.sets.join(", "))}`}`,
        {
          hint: "Check the label names (--positive, --negative), the set filter (--set) and in_response in the index.",
        },
      );
    }

    const count = positiveRows + negativeRows;
    const matrix = allocateMatrix(count, dims);
    const labels = new Uint8Array(count);
    const hash = createHash("sha256");
    let next = 0;
    file.forEachBlock(
      blockRowsFor(dims),
      (start, rowCount, block) => {
        for (let r = 0; r < rowCount; r++) {
          const label = labelOf[start + r] as number;
          if (label < 0) {
            continue;
          }
          matrix.rows.set(block.subarray(r * dims, (r + 1) * dims), next * dims);
          labels[next] = label;
          next++;
        }
        options.onProgress?.({
          phase: "read",
          file: file.path,
          rowsDone: start + rowCount,
          rowsTotal: file.rows,
        });
      },
      hash,
    );
    // The training-set digest continues the activation hash with the index bytes; a copy keeps the file's own digest.
    const combined = hash.copy();
    combined.update(index.content);
    const activationsHex = hash.digest("hex");

    const standardisation = computeStandardisation(matrix.rows, count, dims);
    let weights: Float64Array;
    let bias: number;
    let training: Pick<
      ProbeArtifact["training"],
      "iterations" | "evaluations" | "stop" | "objective" | "gradient_max_norm"
    >;
    if (options.kind === "logistic_regression") {
      const fit = fitLogistic(matrix, labels, standardisation, {
        l2: options.l2,
        maxIterations: options.maxIterations,
        gradientTolerance: options.gradientTolerance,
        onIteration: (progress) =>
          options.onProgress?.({
            phase: "train",
            iteration: progress.iteration,
            evaluations: progress.evaluations,
            objective: progress.value,
            gradientMaxNorm: progress.gradientMaxNorm,
          }),
      });
      weights = fit.weights;
      bias = fit.bias;
      training = {
        iterations: fit.iterations,
        evaluations: fit.evaluations,
        stop: fit.stop,
        objective: fit.objective,
        gradient_max_norm: fit.gradientMaxNorm,
      };
    } else {
      const fit = fitDifferenceOfMeans(matrix.rows, labels, count, dims, standardisation);
      weights = fit.weights;
      bias = fit.bias;
      training = {
        iterations: null,
        evaluations: null,
        stop: null,
        objective: null,
        gradient_max_norm: null,
      };
    }

    const logistic = options.kind === "logistic_regression";
    return buildArtifact(
      {
        kind: options.kind,
        layer: options.layer,
        aggregation: options.aggregation,
        dims,
        positive_label: options.positiveLabel,
        negative_label: options.negativeLabel,
        bias,
        settings: {
          l2: logistic ? options.l2 : null,
          max_iterations: logistic ? options.maxIterations : null,
          gradient_tolerance: logistic ? options.gradientTolerance : null,
          sets: options.sets === undefined ? null : [...options.sets],
        },
        training: {
          rows: count,
          positive_rows: positiveRows,
          negative_rows: negativeRows,
          responses,
          ...training,
        },
        training_set: {
          digest: sha256Digest(combined.digest("hex")),
          activations: {
            sha256: activationsHex,
            bytes: file.layout.fileBytes,
            format: file.layout.format,
            dtype: file.layout.storedDtype,
            rows: file.rows,
            dims,
            tensor: file.layout.tensor,
          },
          index: { sha256: index.sha256, bytes: index.bytes },
        },
        created_by: options.createdBy,
      },
      weights,
      standardisation.mean,
      standardisation.std,
    );
  } finally {
    file.close();
  }
}

function allocateMatrix(count: number, dims: number): TrainingMatrix {
  try {
    return new TrainingMatrix(count, dims);
  } catch (error) {
    throw new ProbeDataError(
      "probe.train.too_large",
      `the ${count} training rows of ${dims} dimensions need ${((count * dims * 4) / 2 ** 30).toFixed(2)} GiB, which could not be allocated: ${(error as Error).message}`,
      {
        hint: "Training rows live in one WebAssembly memory of at most 4 GiB; train on fewer rows with --set.",
        cause: error,
      },
    );
  }
}
