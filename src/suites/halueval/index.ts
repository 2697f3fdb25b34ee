/**
 * The HaluEval import: human-labelled ChatGPT responses from HaluEval's
 * general_data.json read as a recorded run scored by people.
 */

export * from "./errors.js";
export * from "./import.js";
export * from "./read.js";
