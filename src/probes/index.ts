/**
 * Tier-3 probe tooling. It reads activation files (safetensors and .npy) with
 * a JSONL index and trains linear probes (logistic regression, difference of
 * means). It calibrates them to a target false-positive rate on control data,
 * measures activation rates on a target set, and builds the report result.
 */

export { ActivationFile, type OpenActivationsOptions } from "./activation-file.js";
export { type ActivationIndex, type IndexRow, readActivationIndex } from "./activation-index.js";
export { type ApplyOptions, applyProbe, evaluationDigest, type ProbeApplication } from "./apply.js";
export {
  type Aggregation,
  artifactDigest,
  type Probe,
  type ProbeArtifact,
  type ProbeKind,
  parseProbe,
  readProbe,
} from "./artifact.js";
export { calibrateThreshold, inCalibrationPart } from "./calibration.js";
export { PROBE_DEFAULTS } from "./defaults.js";
export type { ActivationDtype } from "./dtypes.js";
export {
  ActivationFileError,
  ActivationIndexError,
  ProbeArtifactError,
  ProbeDataError,
} from "./errors.js";
export { type EvaluateOptions, evaluateProbe, type ProbeEvaluation } from "./evaluate.js";
export type { TensorLayout } from "./layout.js";
export type { NpyPayloadDtype } from "./npy.js";
export type { ProbeProgress, ProgressListener } from "./progress.js";
export {
  buildProbeResult,
  checkResultSchema,
  mergeResultIntoReport,
  PROBE_METRICS,
  type ReportResult,
} from "./result.js";
export { type ActivationSource, scoreResponses } from "./score-set.js";
export { type TrainOptions, trainProbe } from "./train.js";
