import type { Probe } from "./artifact.js";
import { canonicalJson, sha256Digest, sha256Hex } from "./digest.js";
import { ProbeDataError } from "./errors.js";
import { type ProbeEvaluation, type ProbeReference, probeReference } from "./evaluate.js";
import { estimateClusteredProportion, type ProportionEstimate } from "./intervals.js";
import type { ProgressListener } from "./progress.js";
import { type ActivationSource, type SetRecord, scoreResponses } from "./score-set.js";

export interface ApplyOptions {
  target: ActivationSource;
  /** Index sets of the target responses; every response when absent. */
  sets?: readonly string[];
  /** Threshold from an evaluation, which also binds the result to that evaluation. */
  evaluation?: ProbeEvaluation;
  /** Threshold given directly, when no evaluation is passed. */
  threshold?: number;
  level: number;
  onProgress?: ProgressListener;
}

/** One target response with its aggregated score. */
export interface ResponseOutcome {
  transcript_id: string;
  response_id: string | null;
  score: number;
  activated: boolean;
}

/** Activation rate of a probe on a target set, as `candor probe apply` writes it. */
export interface ProbeApplication {
  format: "candor.probe-apply";
  format_version: 1;
  probe: ProbeReference;
  threshold: number;
  /** Digest of the evaluation the threshold came from; null when it was given directly. */
  evaluation_digest: string | null;
  target: {
    set: SetRecord;
    sets: string[] | null;
    responses: number;
    transcripts: number;
    /**
     * Target responses above the threshold over target responses, with a
     * Wilson interval, or a cluster-robust one by transcript when a transcript
     * has several responses.
     */
    activation_rate: ProportionEstimate;
  };
  outcomes: ResponseOutcome[];
}

/** Digest of an evaluation file's content, over its canonical JSON form. */
export function evaluationDigest(evaluation: ProbeEvaluation): string {
  return sha256Digest(sha256Hex(canonicalJson(evaluation)));
}

/** Applies a calibrated probe to target responses and measures the share above the threshold. */
export function applyProbe(probe: Probe, options: ApplyOptions): ProbeApplication {
  let threshold: number;
  let evaluationDigestValue: string | null = null;
  if (options.evaluation !== undefined) {
    if (options.evaluation.probe.digest !== probe.artifact.digest) {
      throw new ProbeDataError(
        "probe.apply.evaluation_mismatch",
        `the evaluation was made with probe ${options.evaluation.probe.digest}, not with this probe (${probe.artifact.digest})`,
        { hint: "Pass the evaluation that `candor probe eval` wrote for this probe." },
      );
    }
    threshold = options.evaluation.calibration.threshold;
    evaluationDigestValue = evaluationDigest(options.evaluation);
  } else if (options.threshold !== undefined) {
    threshold = options.threshold;
  } else {
    throw new ProbeDataError("probe.apply.no_threshold", "applying a probe needs a threshold", {
      hint: "Pass --eval with the output of `candor probe eval`, or --threshold.",
    });
  }

  const scored = scoreResponses(probe, options.target, options.onProgress);
  const outcomes: ResponseOutcome[] = [];
  const transcripts = new Set<string>();
  scored.units.forEach((unit, i) => {
    if (options.sets !== undefined && (unit.set === null || !options.sets.includes(unit.set))) {
      return;
    }
    const score = scored.scores[i] as number;
    transcripts.add(unit.transcriptId);
    outcomes.push({
      transcript_id: unit.transcriptId,
      response_id: unit.responseId,
      score,
      activated: score > threshold,
    });
  });
  if (outcomes.length === 0) {
    throw new ProbeDataError(
      "probe.apply.empty",
      `no target responses were found in ${options.target.indexPath}${options.sets === undefined ? "" : ` in sets ${options.sets.join(", ")}`}`,
      { hint: "Check the --set filter and that response tokens have in_response true." },
    );
  }
  const rate = estimateClusteredProportion(
    outcomes.map((outcome) => outcome.activated),
    outcomes.map((outcome) => outcome.transcript_id),
    options.level,
  );

  return {
    format: "candor.probe-apply",
    format_version: 1,
    probe: probeReference(probe),
    threshold,
    evaluation_digest: evaluationDigestValue,
    target: {
      set: scored.record,
      sets: options.sets === undefined ? null : [...options.sets],
      responses: outcomes.length,
      transcripts: transcripts.size,
      activation_rate: {
        value: rate.value,
        numerator: rate.numerator,
        sample_size: rate.sample_size,
        interval: rate.interval,
      },
    },
    outcomes,
  };
}
