/**
 * The policy-adherence reference suite: a policy given as clauses with test
 * prompts, each response scored against its clause by a model judge, and
 * the clause scores macro-averaged.
 */

export * from "./errors.js";
export * from "./policy.js";
export * from "./run-suite.js";
export * from "./suite.js";
