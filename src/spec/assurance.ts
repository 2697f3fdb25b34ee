import type { Report } from "./generated/report.js";
import { isPlainObject } from "./pointer.js";

/**
 * Trust in a report, separate from its coverage tier. Each level includes the
 * ones before it:
 * - self_reported: nothing beyond the publisher's word;
 * - publisher_signed: a signature over the report verified against the publisher's key;
 * - recomputable: signed, and every measured reported result names its suite
 *   digest and attaches per-item outcomes, so anyone can recompute the values;
 * - independent: recomputable, and published by a third party.
 */
export type AssuranceLevel = "self_reported" | "publisher_signed" | "recomputable" | "independent";

export const ASSURANCE_LEVELS: readonly AssuranceLevel[] = [
  "self_reported",
  "publisher_signed",
  "recomputable",
  "independent",
];

/** Outcome of checking a signature over the report's bytes; the signing module produces it. */
export interface SignatureStatus {
  verified: boolean;
  /** Key id or name of the signer, when known. */
  signer?: string;
}

export interface AssuranceInput {
  signature?: SignatureStatus;
  /**
   * Indexes of results whose outcomes file was checked and failed (missing,
   * wrong digest or line count); such a result does not count as recomputable.
   */
  brokenOutcomes?: ReadonlySet<number>;
}

/**
 * Computes the assurance level of a report. Recomputable needs at least one
 * measured reported result, so a report transcribed from documentation, or one
 * that reports nothing, stops at publisher_signed.
 */
export function computeAssurance(report: unknown, input: AssuranceInput = {}): AssuranceLevel {
  if (input.signature?.verified !== true) {
    return "self_reported";
  }
  if (
    !isPlainObject(report) ||
    !isPlainObject(report.publisher) ||
    !Array.isArray(report.results)
  ) {
    return "publisher_signed";
  }
  const { publisher, results } = report as unknown as Report;
  if (publisher.relationship !== "first_party" && publisher.relationship !== "third_party") {
    return "publisher_signed";
  }

  let reported = 0;
  for (const [index, result] of results.entries()) {
    if (!isPlainObject(result) || result.status !== "reported") {
      continue;
    }
    reported++;
    const hasSuiteDigest = typeof result.protocol?.suite?.digest === "string";
    const hasOutcomes =
      isPlainObject(result.outcomes) && !(input.brokenOutcomes?.has(index) ?? false);
    if (!hasSuiteDigest || !hasOutcomes) {
      return "publisher_signed";
    }
  }
  if (reported === 0) {
    return "publisher_signed";
  }
  return publisher.relationship === "third_party" ? "independent" : "recomputable";
}
