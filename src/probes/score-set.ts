import { createHash } from "node:crypto";
import { quote } from "../errors.js";
import { ActivationFile, type OpenActivationsOptions } from "./activation-file.js";
import { checkIndexMatches, readActivationIndex } from "./activation-index.js";
import type { FileRecord, Probe } from "./artifact.js";
import { sha256Digest } from "./digest.js";
import { ProbeArtifactError } from "./errors.js";
import { blockRowsFor, type ProgressListener } from "./progress.js";
import { groupResponses, type ResponseUnit } from "./responses.js";
import { aggregateScores, ProbeScorer } from "./scoring.js";

/** Activation file and index of one set of responses. */
export interface ActivationSource extends OpenActivationsOptions {
  activationsPath: string;
  indexPath: string;
}

/** Digests of the files a set of responses came from, defined as for the training set. */
export interface SetRecord {
  /** sha256 over the activation file's bytes followed by the index file's bytes. */
  digest: string;
  activations: FileRecord & {
    format: string;
    dtype: string;
    rows: number;
    dims: number;
    tensor: string | null;
  };
  index: FileRecord;
}

/** Every response of a file with its aggregated probe score. */
export interface ScoredResponses {
  units: ResponseUnit[];
  /** Aggregated score of units[i]. */
  scores: Float64Array;
  record: SetRecord;
}

/**
 * Streams an activation file once, scores the response tokens of every
 * response with the probe, and aggregates them with the probe's aggregation.
 * Memory is one block of rows plus one float64 score per row.
 */
export function scoreResponses(
  probe: Probe,
  source: ActivationSource,
  onProgress?: ProgressListener,
): ScoredResponses {
  const index = readActivationIndex(source.indexPath);
  const file = ActivationFile.open(source.activationsPath, source);
  try {
    checkIndexMatches(index, file.path, file.rows);
    if (file.dims !== probe.artifact.dims) {
      throw new ProbeArtifactError(
        "probe.dims_mismatch",
        file.path,
        `${quote(file.path)} has rows of ${file.dims} dimensions, but the probe was trained on ${probe.artifact.dims}`,
        {
          hint: `Use activations of the layer the probe reads (layer ${probe.artifact.layer}) from the same model.`,
        },
      );
    }
    const units = groupResponses(index);
    const needed = new Uint8Array(file.rows);
    for (const unit of units) {
      for (const row of unit.rows) {
        needed[row] = 1;
      }
    }

    const scorer = new ProbeScorer(probe);
    const rowScores = new Float64Array(file.rows);
    const hash = createHash("sha256");
    file.forEachBlock(
      blockRowsFor(file.dims),
      (start, count, block) => {
        for (let r = 0; r < count; r++) {
          if (needed[start + r] === 1) {
            rowScores[start + r] = scorer.scoreRow(block, r);
          }
        }
        onProgress?.({
          phase: "read",
          file: file.path,
          rowsDone: start + count,
          rowsTotal: file.rows,
        });
      },
      hash,
    );
    const combined = hash.copy();
    combined.update(index.content);

    const scores = new Float64Array(units.length);
    for (let i = 0; i < units.length; i++) {
      scores[i] = aggregateScores(
        rowScores,
        (units[i] as ResponseUnit).rows,
        probe.artifact.aggregation,
      );
    }
    return {
      units,
      scores,
      record: {
        digest: sha256Digest(combined.digest("hex")),
        activations: {
          sha256: hash.digest("hex"),
          bytes: file.layout.fileBytes,
          format: file.layout.format,
          dtype: file.layout.storedDtype,
          rows: file.rows,
          dims: file.dims,
          tensor: file.layout.tensor,
        },
        index: { sha256: index.sha256, bytes: index.bytes },
      },
    };
  } finally {
    file.close();
  }
}
