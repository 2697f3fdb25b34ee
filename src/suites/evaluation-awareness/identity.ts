import { digestItems } from "../registry.js";
import type { SuiteIdentity } from "../types.js";
import { AWARENESS_DETECTOR_ID } from "./detector.js";

export const AWARENESS_SUITE_ID = "evaluation-awareness";
export const AWARENESS_SUITE_VERSION = "1.0.0";

/**
 * The identity of an awareness measurement. It has no items of its own: it
 * reads the transcripts of other suites, so its digest covers the detector
 * and the identities (id, version, digest) of the suites whose transcripts
 * were examined. Two results share a digest only when they examined the same
 * suites with the same rules. It is the reference suite only when every
 * source suite is a reference suite run in full.
 */
export function awarenessIdentity(sources: readonly SuiteIdentity[]): SuiteIdentity {
  const records = [
    { id: "@detector", detector: AWARENESS_DETECTOR_ID },
    ...sources.map((source) => ({ id: source.id, version: source.version, digest: source.digest })),
  ];
  return {
    id: AWARENESS_SUITE_ID,
    version: AWARENESS_SUITE_VERSION,
    digest: digestItems(records),
    reference: sources.length > 0 && sources.every((source) => source.reference),
  };
}
