import { quote } from "../errors.js";
import type { Probe } from "./artifact.js";
import { calibrateThreshold, inCalibrationPart } from "./calibration.js";
import { PROBE_DEFAULTS } from "./defaults.js";
import { ProbeDataError } from "./errors.js";
import {
  type AurocEstimate,
  estimateAuroc,
  estimateClusteredProportion,
  type ProportionEstimate,
} from "./intervals.js";
import type { ProgressListener } from "./progress.js";
import {
  type ActivationSource,
  type ScoredResponses,
  type SetRecord,
  scoreResponses,
} from "./score-set.js";

export interface EvaluateOptions {
  /** Labelled validation responses. */
  validation: ActivationSource;
  /** Index sets the validation responses are taken from; every set when absent. */
  validationSets?: readonly string[];
  /** Control responses in their own files; when absent they come from the validation files. */
  control?: ActivationSource;
  /**
   * Index sets of the control responses. Required when the control responses
   * share the validation files; with separate control files every response is
   * used when absent.
   */
  controlSets?: readonly string[];
  /** False-positive rate the threshold is calibrated to on the calibration part, in (0, 1). */
  targetFalsePositiveRate: number;
  /** Share of control transcripts used for calibration; the rest measure the realised rate. */
  calibrationShare: number;
  /** Seed of the transcript-id hash that splits the control set. */
  seed: string;
  /** Confidence level of every interval. */
  level: number;
  onProgress?: ProgressListener;
}

interface ScoredUnit {
  score: number;
  transcriptId: string;
}

/** The probe's validation and calibration results, as `candor probe eval` writes them. */
export interface ProbeEvaluation {
  format: "candor.probe-eval";
  format_version: 1;
  probe: ProbeReference;
  validation: {
    set: SetRecord;
    sets: string[] | null;
    responses: number;
    positives: number;
    negatives: number;
    auroc: AurocEstimate;
    /** Validation positives above the threshold over validation positives. */
    true_positive_rate: ProportionEstimate;
    /** Validation negatives above the threshold over validation negatives. */
    false_positive_rate: ProportionEstimate;
  };
  calibration: {
    control_set: SetRecord;
    sets: string[] | null;
    target_false_positive_rate: number;
    calibration_share: number;
    seed: string;
    split: string;
    calibration_responses: number;
    held_out_responses: number;
    threshold: number;
    calibration_false_positives: number;
    /** Held-out control responses above the threshold over held-out control responses. */
    realised_false_positive_rate: ProportionEstimate;
  };
}

export interface ProbeReference {
  digest: string;
  kind: Probe["artifact"]["kind"];
  layer: number;
  aggregation: Probe["artifact"]["aggregation"];
  positive_label: string;
  negative_label: string;
  training_set_digest: string;
}

export function probeReference(probe: Probe): ProbeReference {
  const { artifact } = probe;
  return {
    digest: artifact.digest,
    kind: artifact.kind,
    layer: artifact.layer,
    aggregation: artifact.aggregation,
    positive_label: artifact.positive_label,
    negative_label: artifact.negative_label,
    training_set_digest: artifact.training_set.digest,
  };
}

/**
 * Evaluates a probe on labelled validation responses (AUROC with interval)
 * and calibrates its threshold on control responses. The control set is split
 * by transcript-id hash. The threshold is set on one part so that its
 * false-positive rate there is at most the target, and the realised rate is
 * measured on the other part.
 */
export function evaluateProbe(probe: Probe, options: EvaluateOptions): ProbeEvaluation {
  const { artifact } = probe;
  const validationScored = scoreResponses(probe, options.validation, options.onProgress);
  let controlScored: ScoredResponses;
  let controlSets = options.controlSets;
  if (options.control === undefined) {
    controlScored = validationScored;
    controlSets ??= [PROBE_DEFAULTS.controlSet];
  } else {
    controlScored = scoreResponses(probe, options.control, options.onProgress);
  }

  // Validation: labelled responses of the listed sets, excluding control sets drawn from the same files.
  const positives: ScoredUnit[] = [];
  const negatives: ScoredUnit[] = [];
  const usedForValidation: boolean[] = [];
  validationScored.units.forEach((unit, i) => {
    if (
      options.validationSets !== undefined &&
      (unit.set === null || !options.validationSets.includes(unit.set))
    ) {
      return;
    }
    if (options.control === undefined && unit.set !== null && controlSets?.includes(unit.set)) {
      return;
    }
    const scored = { score: validationScored.scores[i] as number, transcriptId: unit.transcriptId };
    if (unit.label === artifact.positive_label) {
      positives.push(scored);
      usedForValidation[i] = true;
    } else if (unit.label === artifact.negative_label) {
      negatives.push(scored);
      usedForValidation[i] = true;
    }
  });
  // The same files as training: a labelled response of a training set was a training example.
  if (validationScored.record.digest === artifact.training_set.digest) {
    const trainingSets = artifact.settings.sets;
    const overlap = validationScored.units.find(
      (unit, i) =>
        usedForValidation[i] === true &&
        (trainingSets === null || (unit.set !== null && trainingSets.includes(unit.set))),
    );
    if (overlap !== undefined) {
      throw new ProbeDataError(
        "probe.eval.training_overlap",
        `validation response ${quote(overlap.transcriptId)} (set ${quote(overlap.set)}) is one the probe was trained on`,
        {
          hint: "Validate on responses held out from training: pass --set with the validation set's name.",
        },
      );
    }
  }
  if (positives.length === 0 || negatives.length === 0) {
    throw new ProbeDataError(
      "probe.eval.one_class",
      `validation needs responses labelled ${quote(artifact.positive_label)} and ${quote(artifact.negative_label)}, but ${quote(options.validation.indexPath)} has ${positives.length} and ${negatives.length}`,
      { hint: "Check the labels in the index and the --set filter." },
    );
  }

  const calibration: number[] = [];
  const heldOut: ScoredUnit[] = [];
  controlScored.units.forEach((unit, i) => {
    if (controlSets !== undefined && (unit.set === null || !controlSets.includes(unit.set))) {
      return;
    }
    const score = controlScored.scores[i] as number;
    if (inCalibrationPart(unit.transcriptId, options.seed, options.calibrationShare)) {
      calibration.push(score);
    } else {
      heldOut.push({ score, transcriptId: unit.transcriptId });
    }
  });
  if (calibration.length === 0 || heldOut.length === 0) {
    throw new ProbeDataError(
      "probe.eval.control_split",
      `the control set splits into ${calibration.length} calibration and ${heldOut.length} held-out responses, but both parts need at least one`,
      {
        hint:
          options.control === undefined
            ? `Mark control responses with set ${quote(controlSets?.join(", "))} in the index, or pass --control files.`
            : "Use a larger control set, or change --calibration-share.",
      },
    );
  }

  const { threshold, falsePositives } = calibrateThreshold(
    calibration,
    options.targetFalsePositiveRate,
  );
  const shareAbove = (units: readonly ScoredUnit[]) =>
    estimateClusteredProportion(
      units.map((unit) => unit.score > threshold),
      units.map((unit) => unit.transcriptId),
      options.level,
    );
  const { clusters: _clusters, ...realised } = shareAbove(heldOut);
  const { clusters: _positiveClusters, ...truePositive } = shareAbove(positives);
  const { clusters: _negativeClusters, ...falsePositive } = shareAbove(negatives);

  return {
    format: "candor.probe-eval",
    format_version: 1,
    probe: probeReference(probe),
    validation: {
      set: validationScored.record,
      sets: options.validationSets === undefined ? null : [...options.validationSets],
      responses: positives.length + negatives.length,
      positives: positives.length,
      negatives: negatives.length,
      auroc: estimateAuroc(
        positives.map((unit) => unit.score),
        negatives.map((unit) => unit.score),
        options.level,
      ),
      true_positive_rate: truePositive,
      false_positive_rate: falsePositive,
    },
    calibration: {
      control_set: controlScored.record,
      sets: controlSets === undefined ? null : [...controlSets],
      target_false_positive_rate: options.targetFalsePositiveRate,
      calibration_share: options.calibrationShare,
      seed: options.seed,
      split:
        'calibration when the first 52 bits of sha256("<seed>:<transcript_id>") over 2^52 < calibration_share',
      calibration_responses: calibration.length,
      held_out_responses: heldOut.length,
      threshold,
      calibration_false_positives: falsePositives,
      realised_false_positive_rate: realised,
    },
  };
}
