/** Problems found in a report, as data; the CLI renders them. */

export type Severity = "error" | "warning";

/**
 * One finding of the validator. Errors make a report invalid; warnings do not.
 */
export interface Problem {
  /** Stable rule code, for example result.missing or schema.required; spec/rules.md lists them. */
  code: string;
  severity: Severity;
  /** RFC 6901 pointer to the offending member ("" is the whole document); may name a missing member. */
  pointer: string;
  /** The offending value, shortened; absent when the member is missing. */
  value?: unknown;
  /** What is wrong, in one sentence. */
  message: string;
  /** What to do about it. */
  hint: string;
}

const MAX_PREVIEW_LENGTH = 120;

/**
 * Returns a value small enough to print: short strings, numbers, booleans and
 * small objects unchanged; anything longer as a truncated JSON string ending in
 * "…". Large objects are never serialised whole.
 */
export function shortenValue(value: unknown, maxLength = MAX_PREVIEW_LENGTH): unknown {
  if (typeof value === "string") {
    return value.length > maxLength ? `${value.slice(0, maxLength - 1)}…` : value;
  }
  if (value === null || typeof value !== "object") {
    return value;
  }
  const preview = previewJson(value, maxLength + 1);
  return preview.length > maxLength ? `${preview.slice(0, maxLength - 1)}…` : value;
}

/**
 * Serialises at most about `budget` characters of a JSON value, so previews of
 * a 16 MiB document cost no more than previews of a small one.
 */
function previewJson(value: unknown, budget: number): string {
  let output = "";
  const visit = (node: unknown, depth: number): void => {
    if (output.length >= budget) {
      return;
    }
    if (node === null || typeof node !== "object") {
      output += JSON.stringify(node) ?? "null";
      return;
    }
    if (depth > 8) {
      output += "…";
      return;
    }
    if (Array.isArray(node)) {
      output += "[";
      for (let index = 0; index < node.length && output.length < budget; index++) {
        if (index > 0) {
          output += ",";
        }
        visit(node[index], depth + 1);
      }
      output += "]";
      return;
    }
    output += "{";
    let first = true;
    for (const key in node) {
      if (!Object.hasOwn(node, key)) {
        continue;
      }
      if (output.length >= budget) {
        break;
      }
      output += `${first ? "" : ","}${JSON.stringify(key)}:`;
      first = false;
      visit((node as Record<string, unknown>)[key], depth + 1);
    }
    output += "}";
  };
  visit(value, 0);
  return output;
}
