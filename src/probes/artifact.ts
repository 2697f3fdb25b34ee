import { readFileSync } from "node:fs";
import { quote } from "../errors.js";
import { canonicalJson, decodeFloat64, encodeFloat64, sha256Digest, sha256Hex } from "./digest.js";
import { ProbeArtifactError } from "./errors.js";

export type ProbeKind = "logistic_regression" | "difference_of_means";
export type Aggregation = "mean" | "max";

export const PROBE_FORMAT = "candor.probe";
export const PROBE_FORMAT_VERSION = 1;

/** Digest and size of one input file. */
export interface FileRecord {
  sha256: string;
  bytes: number;
}

/**
 * Record of the files a probe was trained on. `digest` is sha256 over the
 * activation file's bytes followed by the index file's bytes. The per-file
 * digests and sizes make the boundary between the two unambiguous.
 */
export interface TrainingSetRecord {
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

export interface ProbeSettings {
  l2: number | null;
  max_iterations: number | null;
  gradient_tolerance: number | null;
  /** Index sets the training rows were taken from; null means every set. */
  sets: string[] | null;
}

export interface TrainingSummary {
  rows: number;
  positive_rows: number;
  negative_rows: number;
  responses: number;
  iterations: number | null;
  evaluations: number | null;
  stop: string | null;
  objective: number | null;
  gradient_max_norm: number | null;
}

/** A trained probe as saved on disk. Float vectors are base64 of little-endian float64. */
export interface ProbeArtifact {
  format: typeof PROBE_FORMAT;
  format_version: typeof PROBE_FORMAT_VERSION;
  kind: ProbeKind;
  layer: number;
  aggregation: Aggregation;
  dims: number;
  positive_label: string;
  negative_label: string;
  vector_encoding: "base64-float64-le";
  /** Weights on standardised features: score = bias + Σⱼ weightsⱼ (xⱼ − meanⱼ)/stdⱼ. */
  weights: string;
  bias: number;
  feature_mean: string;
  feature_std: string;
  settings: ProbeSettings;
  training: TrainingSummary;
  training_set: TrainingSetRecord;
  created_by: string;
  /** sha256 of the canonical JSON (RFC 8785) of every other field. */
  digest: string;
}

/** A loaded probe with its vectors decoded. */
export interface Probe {
  artifact: ProbeArtifact;
  weights: Float64Array;
  mean: Float64Array;
  std: Float64Array;
}

/** Computes an artifact's digest over the canonical form of every field except `digest`. */
export function artifactDigest(artifact: Omit<ProbeArtifact, "digest"> | ProbeArtifact): string {
  const { digest: _ignored, ...rest } = artifact as ProbeArtifact;
  return sha256Digest(sha256Hex(canonicalJson(rest)));
}

export function buildArtifact(
  fields: Omit<
    ProbeArtifact,
    | "format"
    | "format_version"
    | "vector_encoding"
    | "weights"
    | "feature_mean"
    | "feature_std"
    | "digest"
  >,
  weights: Float64Array,
  mean: Float64Array,
  std: Float64Array,
): ProbeArtifact {
  const body: Omit<ProbeArtifact, "digest"> = {
    format: PROBE_FORMAT,
    format_version: PROBE_FORMAT_VERSION,
    ...fields,
    vector_encoding: "base64-float64-le",
    weights: encodeFloat64(weights),
    feature_mean: encodeFloat64(mean),
    feature_std: encodeFloat64(std),
  };
  return { ...body, digest: artifactDigest(body) };
}

/** Reads a probe artifact, checks its structure and digest, and decodes its vectors. */
export function readProbe(path: string): Probe {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ProbeArtifactError(
      "probe.artifact.unreadable",
      path,
      `cannot read probe artifact ${quote(path)}: ${(error as Error).message}`,
      { hint: "Pass the JSON file that `candor probe train` wrote.", cause: error },
    );
  }
  return parseProbe(path, value);
}

export function parseProbe(path: string, value: unknown): Probe {
  const fail = (detail: string) =>
    new ProbeArtifactError(
      "probe.artifact.invalid",
      path,
      `probe artifact ${quote(path)} is invalid: ${detail}`,
      {
        hint: "Pass an unmodified file written by `candor probe train`.",
      },
    );
  if (typeof value !== "object" || value === null) {
    throw fail("not a JSON object");
  }
  const artifact = value as ProbeArtifact;
  if (artifact.format !== PROBE_FORMAT || artifact.format_version !== PROBE_FORMAT_VERSION) {
    throw fail(
      `format ${quote(artifact.format)} version ${quote(artifact.format_version)} is not ${PROBE_FORMAT} version ${PROBE_FORMAT_VERSION}`,
    );
  }
  if (artifact.kind !== "logistic_regression" && artifact.kind !== "difference_of_means") {
    throw fail(`kind ${quote(artifact.kind)} is not logistic_regression or difference_of_means`);
  }
  if (artifact.aggregation !== "mean" && artifact.aggregation !== "max") {
    throw fail(`aggregation ${quote(artifact.aggregation)} is not mean or max`);
  }
  if (
    !Number.isSafeInteger(artifact.dims) ||
    artifact.dims < 1 ||
    !Number.isSafeInteger(artifact.layer) ||
    artifact.layer < 0
  ) {
    throw fail("dims or layer is not a valid integer");
  }
  if (typeof artifact.bias !== "number" || !Number.isFinite(artifact.bias)) {
    throw fail(`bias ${quote(artifact.bias)} is not a finite number`);
  }
  const vectors: Float64Array[] = [];
  for (const field of ["weights", "feature_mean", "feature_std"] as const) {
    const decoded = typeof artifact[field] === "string" ? decodeFloat64(artifact[field]) : null;
    if (decoded === null || decoded.length !== artifact.dims || !decoded.every(Number.isFinite)) {
      throw fail(`${field} is not ${artifact.dims} finite base64 float64 values`);
    }
    vectors.push(decoded);
  }
  const [weights, mean, std] = vectors as [Float64Array, Float64Array, Float64Array];
  if (!std.every((value) => value > 0)) {
    throw fail("feature_std has a value that is not positive");
  }

  let expected: string;
  try {
    expected = artifactDigest(artifact);
  } catch (error) {
    throw fail(`its fields cannot be canonicalised (${(error as Error).message})`);
  }
  if (artifact.digest !== expected) {
    throw new ProbeArtifactError(
      "probe.artifact.digest_mismatch",
      path,
      `probe artifact ${quote(path)} records digest ${quote(artifact.digest)}, but its content hashes to ${expected}`,
      {
        hint: "The file was edited after training; train the probe again or restore the original file.",
      },
    );
  }
  return { artifact, weights, mean, std };
}
