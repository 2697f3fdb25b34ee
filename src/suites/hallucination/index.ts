/**
 * The hallucination reference suite: closed-book questions graded correct,
 * incorrect or not_attempted by a model judge, and open-ended requests
 * checked for unsupported factual claims.
 */

export * from "./closed-book.js";
export * from "./errors.js";
export * from "./items.js";
export * from "./open-ended.js";
export * from "./proportion.js";
export * from "./run-suite.js";
