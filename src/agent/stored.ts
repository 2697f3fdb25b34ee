import { openRunStore } from "../engine/store.js";
import { AGENT_RUN_FORMAT, type AgentRun } from "./transcript.js";

/** One sample of a run store, as `candor transcript` shows it. */
export interface StoredAgentSample {
  id: string;
  status: "done" | "error";
  attempts: number;
  /** The last error, for a sample stored as an error. */
  error?: string;
  /** The agentic run, for a done sample whose output is one. */
  run?: AgentRun;
}

/** True when a stored sample output is an agentic run in a format this version reads. */
export function isAgentRun(value: unknown): value is AgentRun {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { format?: unknown }).format === AGENT_RUN_FORMAT &&
    Array.isArray((value as { transcript?: unknown }).transcript)
  );
}

/**
 * Reads the samples of the run store in `dir`: agentic runs and samples
 * stored as errors. Done samples of other kinds (tier 1 outputs) are counted
 * in `otherSamples` and left out.
 */
export function readAgentSamples(dir: string): {
  samples: StoredAgentSample[];
  otherSamples: number;
} {
  const store = openRunStore(dir, { mode: "read" });
  try {
    const samples: StoredAgentSample[] = [];
    let otherSamples = 0;
    for (const sample of store.samples()) {
      if (sample.status === "error") {
        samples.push({
          id: sample.id,
          status: "error",
          attempts: sample.attempts,
          error: sample.error ?? "",
        });
      } else if (isAgentRun(sample.output)) {
        samples.push({
          id: sample.id,
          status: "done",
          attempts: sample.attempts,
          run: sample.output,
        });
      } else {
        otherSamples += 1;
      }
    }
    return { samples, otherSamples };
  } finally {
    store.close();
  }
}
