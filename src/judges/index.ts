/**
 * The generic model judge. Its prompt template is read from a file whose
 * digest goes into the report. Untrusted text goes between fence markers
 * derived from a hash of that text. A strict verdict parser leaves a
 * response unscored and counted in parse_failures when the judge's answer
 * does not parse, and every judge request is sent at temperature 0.
 *
 * Judging runs as a second engine pass over stored responses (pass.ts): the
 * model under test answers first, then the judge requests go through the
 * same run engine with their own run store, so they get concurrency,
 * retries and resume without ever re-sending a request to the model under
 * test. run-judged.ts chains the two passes for one suite, and report.ts
 * writes a report whose results may come from several judged item sets.
 */

export * from "./errors.js";
export * from "./judge.js";
export * from "./model-pass.js";
export * from "./pass.js";
export * from "./prompt.js";
export * from "./render.js";
export * from "./report.js";
export * from "./run-judged.js";
export * from "./single-turn.js";
export * from "./store.js";
export * from "./suite.js";
export * from "./transcripts.js";
export * from "./verdict.js";
