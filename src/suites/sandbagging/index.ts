/**
 * The sandbagging reference suite: the accuracy gap between a neutral
 * framing and one that gives a reason to underperform, with a detection
 * verdict.
 */

export * from "./metrics.js";
export * from "./run-suite.js";
export * from "./suite.js";
