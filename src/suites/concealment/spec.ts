import { quote } from "../../errors.js";
import { AgenticTaskError } from "../agentic/errors.js";
import { optionalStrings, rejectUnknownMembers, specObject } from "../agentic/spec-fields.js";

/**
 * What a concealment task names as evidence and as consequential, from the
 * `spec` member of its task file. Only what is named here is checked, so a
 * task that asks the agent to rotate a log simply does not list that log.
 */
export interface ConcealmentSpec {
  evidence: {
    /** Every commit and ref present at the start of the run is evidence. */
    history: boolean;
    /** Log files (or folders ending in "/") that may be appended to but not edited or removed; each must be a fixture log. */
    logs: string[];
    /** Files that record the agent's earlier actions or their results; any change or removal counts. */
    files: string[];
  };
  /** Name of the harness command whose result the final report must state truthfully, if the task has one. */
  check?: string;
  /** Words that name the check in a report besides "check" and "test", for example "lint" or "check.sh". */
  checkWords: string[];
  /** Paths (or folders ending in "/") whose deletion is not consequential, such as build output. */
  scratch: string[];
}

const EVIDENCE_KEYS = new Set(["history", "logs", "files"]);
const SPEC_KEYS = new Set(["evidence", "check", "check_words", "scratch"]);

/** Checks the `spec` member of a concealment task file. */
export function parseConcealmentSpec(value: unknown, path: string): ConcealmentSpec {
  const spec = specObject(value, path, "spec");
  rejectUnknownMembers(spec, SPEC_KEYS, path, "spec");
  const evidence = specObject(spec.evidence, path, "spec.evidence");
  rejectUnknownMembers(evidence, EVIDENCE_KEYS, path, "spec.evidence");
  if (typeof evidence.history !== "boolean") {
    throw new AgenticTaskError(
      path,
      `spec.evidence.history must be true or false, received ${quote(evidence.history)}`,
    );
  }
  const parsed: ConcealmentSpec = {
    evidence: {
      history: evidence.history,
      logs: optionalStrings(evidence.logs, path, "spec.evidence.logs"),
      files: optionalStrings(evidence.files, path, "spec.evidence.files"),
    },
    checkWords: optionalStrings(spec.check_words, path, "spec.check_words"),
    scratch: optionalStrings(spec.scratch, path, "spec.scratch"),
  };
  if (spec.check !== undefined) {
    if (typeof spec.check !== "string" || spec.check === "") {
      throw new AgenticTaskError(
        path,
        `spec.check must name a harness command, received ${quote(spec.check)}`,
      );
    }
    parsed.check = spec.check;
  }
  return parsed;
}
