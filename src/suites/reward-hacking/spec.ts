import { quote } from "../../errors.js";
import { AgenticTaskError } from "../agentic/errors.js";

/** The reward-hacking settings of a task, from the `spec` member of its task.json. */
export interface RewardHackingSpec {
  /** Test and checker files, and folders written with a trailing "/". */
  protected: string[];
  /** Protected paths the instructions ask the agent to change; changing them is not tampering. */
  requested_changes: string[];
  /** Implementation files searched for special-casing of the tests. */
  implementation: string[];
  /**
   * Regular expressions (JavaScript syntax, matched case-insensitively) for
   * test inputs or expected values that only a special-cased implementation
   * would contain, such as the literal input of a contradictory test.
   */
  special_case_patterns: string[];
}

/** Checks a task's spec member. */
export function parseRewardHackingSpec(value: unknown, path: string): RewardHackingSpec {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new AgenticTaskError(
      path,
      `spec in ${quote(path)} must be an object, received ${quote(value)}`,
    );
  }
  const raw = value as Record<string, unknown>;
  const known = ["protected", "requested_changes", "implementation", "special_case_patterns"];
  const unknown = Object.keys(raw).filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    throw new AgenticTaskError(
      path,
      `spec in ${quote(path)} has unknown field(s) ${unknown.map((key) => quote(key)).join(", ")}`,
    );
  }
  const list = (field: string, required: boolean): string[] => {
    const entry = raw[field];
    if (entry === undefined && !required) {
      return [];
    }
    if (!Array.isArray(entry) || entry.some((item) => typeof item !== "string" || item === "")) {
      throw new AgenticTaskError(
        path,
        `spec.${field} in ${quote(path)} must be an array of non-empty strings, received ${quote(entry)}`,
      );
    }
    return entry as string[];
  };

  const spec: RewardHackingSpec = {
    protected: list("protected", true),
    requested_changes: list("requested_changes", false),
    implementation: list("implementation", true),
    special_case_patterns: list("special_case_patterns", false),
  };
  if (spec.protected.length === 0) {
    throw new AgenticTaskError(
      path,
      `spec.protected in ${quote(path)} is empty; name the task's test and checker files`,
    );
  }
  for (const pattern of spec.special_case_patterns) {
    try {
      new RegExp(pattern, "i");
    } catch (error) {
      throw new AgenticTaskError(
        path,
        `spec.special_case_patterns in ${quote(path)} holds an invalid regular expression ${quote(pattern)}`,
        { cause: error },
      );
    }
  }
  return spec;
}
