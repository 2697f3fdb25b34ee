/**
 * Turns a run store into the `run` object of a Candor report: how the run
 * actually ran, across every session (the first run and each resume).
 */

import type { RunStore } from "./store.js";

/** The report's `run` object, field for field. */
export interface RunDescription {
  tool: string;
  started: string;
  finished?: string;
  concurrency?: number;
  max_attempts?: number;
  request_timeout_seconds?: number;
  retries: number;
  errors: number;
}

/**
 * Describes a stored run. Retries are summed over all sessions, and errors
 * are the samples stored as errors now. Concurrency, attempts and time limit
 * are the highest values any session used, because a resumed run may have
 * changed them and the report has room for one value each.
 */
export function describeRun(store: RunStore, tool: string): RunDescription {
  const sessions = store.sessions();
  const description: RunDescription = {
    tool,
    started: store.run.started,
    retries: sessions.reduce((sum, session) => sum + session.counts.retries, 0),
    errors: store.counts().errors,
  };
  if (store.run.finished !== undefined) {
    description.finished = store.run.finished;
  }

  const highest = (key: string): number | undefined => {
    const values = sessions
      .map((session) => session.settings[key])
      .filter((value) => typeof value === "number");
    return values.length === 0 ? undefined : Math.max(...(values as number[]));
  };
  const concurrency = highest("concurrency");
  const maxAttempts = highest("max_attempts");
  const timeoutMs = highest("request_timeout_ms");
  if (concurrency !== undefined) {
    description.concurrency = concurrency;
  }
  if (maxAttempts !== undefined) {
    description.max_attempts = maxAttempts;
  }
  if (timeoutMs !== undefined) {
    description.request_timeout_seconds = timeoutMs / 1000;
  }
  return description;
}
