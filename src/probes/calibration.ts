import { createHash } from "node:crypto";

/**
 * Assigns a transcript to the calibration part of the control set when the
 * first 52 bits of sha256("<seed>:<transcript id>"), read as a fraction of
 * 2⁵², fall below `calibrationShare`. Responses of one transcript stay on one
 * side, and anyone with the same ids and seed gets the same split.
 */
export function inCalibrationPart(
  transcriptId: string,
  seed: string,
  calibrationShare: number,
): boolean {
  const digest = createHash("sha256").update(`${seed}:${transcriptId}`).digest();
  // 52 bits fit a float64 exactly: the top 20 bits of the first word, then 32 bits.
  const fraction = ((digest.readUInt32BE(0) >>> 12) * 2 ** 32 + digest.readUInt32BE(4)) / 2 ** 52;
  return fraction < calibrationShare;
}

export interface Threshold {
  /** A response is flagged when its score is strictly greater than this. */
  threshold: number;
  /** Calibration responses above the threshold. */
  falsePositives: number;
  /** Largest count of false positives the target rate allows: ⌊target × n⌋. */
  allowedFalsePositives: number;
}

/**
 * Picks the lowest threshold whose false-positive rate on the calibration
 * scores is at most `targetRate`: with scores sorted in decreasing order and
 * k = ⌊targetRate × n⌋, the threshold is the (k+1)-th largest score, so at
 * most k scores exceed it (fewer when scores tie).
 */
export function calibrateThreshold(scores: readonly number[], targetRate: number): Threshold {
  const sorted = [...scores].sort((a, b) => b - a);
  const allowed = Math.floor(targetRate * sorted.length + 1e-9);
  const threshold = sorted[Math.min(allowed, sorted.length - 1)] as number;
  let falsePositives = 0;
  for (const score of sorted) {
    if (score > threshold) {
      falsePositives++;
    }
  }
  return { threshold, falsePositives, allowedFalsePositives: allowed };
}
