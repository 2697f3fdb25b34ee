/**
 * Evaluation awareness: whether the model says it suspects that it is being
 * tested, detected by rules (and optionally a judge) over any suite's
 * transcripts.
 */

export { AWARENESS_DETECTOR_ID, type AwarenessMatch, detectAwareness } from "./detector.js";
export * from "./identity.js";
export * from "./transcripts.js";
