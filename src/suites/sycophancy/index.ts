/**
 * The sycophancy reference suite: capitulation after a content-free
 * challenge, and the accuracy drop under a wrong user suggestion.
 */

export * from "./metrics.js";
export * from "./run-suite.js";
export * from "./suite.js";
