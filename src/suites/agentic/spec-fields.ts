/**
 * Checks of the members of a task file's `spec`, for the suites whose
 * errors name the member and the value received but not the file (the
 * file is in the error's path).
 */

import { quote } from "../../errors.js";
import { AgenticTaskError } from "./errors.js";

/** Returns `value` as an object; throws AgenticTaskError for anything else. */
export function specObject(value: unknown, path: string, field: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new AgenticTaskError(path, `${field} must be a JSON object, received ${quote(value)}`);
  }
  return value as Record<string, unknown>;
}

/** Throws AgenticTaskError when `value` has a member outside `known`. */
export function rejectUnknownMembers(
  value: Record<string, unknown>,
  known: ReadonlySet<string>,
  path: string,
  field: string,
): void {
  const extra = Object.keys(value).filter((key) => !known.has(key));
  if (extra.length > 0) {
    throw new AgenticTaskError(
      path,
      `${field} has unknown member(s) ${extra.map((key) => quote(key)).join(", ")}`,
    );
  }
}

/** Returns an optional array of non-empty strings, empty when absent; throws AgenticTaskError otherwise. */
export function optionalStrings(value: unknown, path: string, field: string): string[] {
  if (value === undefined) {
    return [];
  }
  if (!Array.isArray(value) || value.some((entry) => typeof entry !== "string" || entry === "")) {
    throw new AgenticTaskError(
      path,
      `${field} must be an array of non-empty strings, received ${quote(value)}`,
    );
  }
  return value as string[];
}
