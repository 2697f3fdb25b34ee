/**
 * The run engine: scheduling, retries, the run store and progress events.
 * See run.ts for the execution contract and store.ts for the store format.
 */

export { describeRun, type RunDescription } from "./describe.js";
export * from "./errors.js";
export { classifyError, retryDelay } from "./retry.js";
export { runSamples } from "./run.js";
export type * from "./store.js";
export { openRunStore, RUN_STORE_FILE, RunStore } from "./store.js";
export type * from "./types.js";
