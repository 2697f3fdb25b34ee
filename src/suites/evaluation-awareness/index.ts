/**
 * Evaluation awareness: whether the model says it suspects that it is being
 * tested, detected by rules, optionally combined with a model judge, over
 * any suite's transcripts.
 */

export { AWARENESS_DETECTOR_ID, type AwarenessMatch, detectAwareness } from "./detector.js";
export * from "./identity.js";
export * from "./judge.js";
export * from "./scorer.js";
export * from "./transcripts.js";
