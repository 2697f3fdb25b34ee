/**
 * The reference suites this toolkit ships, by id, and the canonical item
 * digest they share.
 */

import { createHash } from "node:crypto";
import { quote, UsageError } from "../errors.js";

/** Ids of the shipped suites, in the order `--help` lists them. */
export const SUITE_IDS = ["refusal-calibration"] as const;

export type SuiteId = (typeof SUITE_IDS)[number];

/** Checks a `--suite` value and returns it typed. */
export function parseSuiteId(value: string): SuiteId {
  if ((SUITE_IDS as readonly string[]).includes(value)) {
    return value as SuiteId;
  }
  throw new UsageError(`unknown suite ${quote(value)}`, `Known suites: ${SUITE_IDS.join(", ")}.`);
}

/**
 * Serialises one item as canonical JSON: object keys sorted by UTF-16 code
 * units, no whitespace, strings escaped as JSON.stringify escapes them. For
 * items made of strings, numbers in the safe-integer range, booleans and
 * nested objects and arrays of these, this equals the JSON Canonicalization
 * Scheme (RFC 8785).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") {
    const text = JSON.stringify(value);
    if (text === undefined) {
      throw new TypeError(`cannot serialise ${String(value)} as JSON`);
    }
    return text;
  }
  if (Array.isArray(value)) {
    return `[${value.map((element) => canonicalJson(element)).join(",")}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, member]) => member !== undefined)
    .sort(([a], [b]) => compareCodeUnits(a, b));
  return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`).join(",")}}`;
}

/**
 * Digest of an item set: SHA-256 over the canonical JSON of each item, one
 * per line, each line ended by "\n", items ordered by id (UTF-16 code
 * units), encoded as UTF-8. The order of items in a file therefore does not
 * change the digest; any change to a field included in the items does.
 * Returns `sha256:` and 64 lowercase hex digits.
 */
export function digestItems(items: Iterable<{ id: string }>): string {
  const sorted = [...items].sort((a, b) => compareCodeUnits(a.id, b.id));
  const hash = createHash("sha256");
  for (const item of sorted) {
    hash.update(`${canonicalJson(item)}\n`, "utf8");
  }
  return `sha256:${hash.digest("hex")}`;
}

/** Orders strings by UTF-16 code units, as RFC 8785 sorts object keys. */
function compareCodeUnits(a: string, b: string): number {
  if (a < b) {
    return -1;
  }
  return a > b ? 1 : 0;
}

/** `sha256:` and the hex SHA-256 of bytes or of a UTF-8 string. */
export function sha256Digest(data: string | Uint8Array): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}
