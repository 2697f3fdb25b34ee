import type { Problem } from "../../spec/problem.js";

/**
 * What the validator found about a report, as the pages show it. It is
 * computed by the caller, so rendering needs no schema or registry files.
 */
export interface ReportAssessment {
  valid: boolean;
  problems: readonly Pick<Problem, "code" | "severity" | "pointer" | "message">[];
  /** Highest tier whose stable metrics are all reported, 0 when none is. */
  reachedTier: number;
  /** Assurance level in words, for example "self-reported, unsigned". */
  assurance: string;
}
