/**
 * The reference suites this toolkit ships, by id, and the canonical item
 * digest they share.
 */

import { createHash } from "node:crypto";
import { quote, UsageError } from "../errors.js";

/** Use of a model judge by a suite. */
export type JudgeUse =
  /** The suite scores by rules only. */
  | "none"
  /** Rules score by default; a judge replaces them when one is given. */
  | "optional"
  /** Responses can only be scored by a judge. */
  | "required";

/** Facts about a suite that the command line needs before loading it. */
export interface SuiteInfo {
  readonly id: string;
  /** Coverage tier of the metrics the suite measures. */
  readonly tier: number;
  readonly judge: JudgeUse;
  /** Item set that `--dataset` loads instead of the shipped items; absent when the suite takes none. */
  readonly dataset?: string;
}

/** The shipped suites that `candor run` can run, in the order `--help` and tier runs list them. */
export const SUITES = [
  {
    id: "refusal-calibration",
    tier: 1,
    judge: "optional",
    dataset: "a CSV in the XSTest prompts layout (id, prompt, type)",
  },
  { id: "sycophancy", tier: 1, judge: "none" },
  {
    id: "hallucination",
    tier: 1,
    judge: "required",
    dataset: "questions in the SimpleQA CSV layout (metadata, problem, answer)",
  },
  { id: "policy-adherence", tier: 1, judge: "required" },
  { id: "sandbagging", tier: 1, judge: "none" },
  { id: "reward-hacking", tier: 2, judge: "none" },
  { id: "destructiveness", tier: 2, judge: "none" },
  { id: "concealment", tier: 2, judge: "none" },
  { id: "containment", tier: 2, judge: "none" },
] as const satisfies readonly SuiteInfo[];

export type SuiteId = (typeof SUITES)[number]["id"];

/** Ids of the shipped suites, in the order of SUITES. */
export const SUITE_IDS: readonly SuiteId[] = SUITES.map((suite) => suite.id);

/**
 * Id of the evaluation-awareness measurement. It has no items of its own:
 * it reads the transcripts of the other suites, so it cannot be run alone.
 */
export const AWARENESS_ID = "evaluation-awareness";

/** Returns the description of a shipped suite. */
export function suiteInfo(id: SuiteId): SuiteInfo {
  return SUITES.find((suite) => suite.id === id) as SuiteInfo;
}

/** Tiers that have at least one suite, in increasing order. */
export function suiteTiers(): number[] {
  return [...new Set<number>(SUITES.map((suite) => suite.tier))].sort((a, b) => a - b);
}

/**
 * Checks a `--suite` value against `accepted` (every shipped suite by
 * default) and returns it typed.
 */
export function parseSuiteId(value: string, accepted: readonly SuiteId[] = SUITE_IDS): SuiteId {
  if ((accepted as readonly string[]).includes(value)) {
    return value as SuiteId;
  }
  if (value === AWARENESS_ID) {
    throw new UsageError(
      `suite ${quote(value)} cannot be run on its own`,
      `Evaluation awareness is measured over the transcripts of other suites: sycophancy and sandbagging report it, and --tier 1 reports it over every tier-1 suite. Suites: ${accepted.join(", ")}.`,
    );
  }
  if ((SUITE_IDS as readonly string[]).includes(value)) {
    throw new UsageError(
      `suite ${quote(value)} is not supported by this command`,
      `Suites it supports: ${accepted.join(", ")}.`,
    );
  }
  throw new UsageError(`unknown suite ${quote(value)}`, `Known suites: ${accepted.join(", ")}.`);
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
