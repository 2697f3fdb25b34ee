import type { Elicitation, Result, Suite } from "./generated/report.js";

/**
 * Comparability classes of two results for one metric:
 * - direct: metric version, suite digest and every elicitation field match;
 * - same_suite_different_elicitation: the suite is the same item set but the
 *   model was prompted or sampled differently, or the settings are not stated;
 * - not_comparable: anything else, including a suite that is not stated,
 *   because then equality cannot be confirmed.
 */
export type ComparabilityClass = "direct" | "same_suite_different_elicitation" | "not_comparable";

export interface Comparability {
  class: ComparabilityClass;
  /** Why the class is not `direct`, one fact per entry; empty for `direct`. */
  reasons: string[];
  /**
   * Differences that do not change the class but that a reader should see
   * beside the numbers, such as a different scorer.
   */
  cautions: string[];
}

export interface ComparabilityOptions {
  /** Names of the two sides in reasons, for example report ids; default "first" and "second". */
  labels?: readonly [string, string];
  /**
   * Elicitation fields the metric requires (the registry's
   * required_protocol_fields under /protocol/elicitation/). A required field
   * that either side leaves out cannot be confirmed equal; an optional field
   * that both leave out counts as equal. Defaults to DEFAULT_REQUIRED_ELICITATION.
   */
  requiredElicitation?: readonly string[];
}

/** Settings that change every conversational metric, required when the registry is not consulted. */
export const DEFAULT_REQUIRED_ELICITATION: readonly string[] = [
  "system_prompt_digest",
  "temperature",
  "max_tokens",
];

/** Picks the elicitation field names out of a metric's required protocol pointers. */
export function requiredElicitationFields(requiredProtocolFields: readonly string[]): string[] {
  const prefix = "/protocol/elicitation/";
  return requiredProtocolFields
    .filter((pointer) => pointer.startsWith(prefix))
    .map((pointer) => pointer.slice(prefix.length));
}

/**
 * Decides whether two results can be put side by side as measurements of the
 * same thing, and says why not when they cannot.
 */
export function comparability(
  a: Result,
  b: Result,
  options: ComparabilityOptions = {},
): Comparability {
  const [labelA, labelB] = options.labels ?? ["first", "second"];
  const reasons: string[] = [];

  if (a.metric !== b.metric) {
    return notComparable([`different metrics: ${a.metric} and ${b.metric}`]);
  }
  for (const [label, result] of [
    [labelA, a],
    [labelB, b],
  ] as const) {
    if (result.status !== "reported") {
      reasons.push(`${label} has no value (${result.status.replace(/_/g, " ")})`);
    }
  }
  if (reasons.length > 0) {
    return notComparable(reasons);
  }

  if (a.metric_version !== b.metric_version) {
    reasons.push(`metric version differs: ${a.metric_version} vs ${b.metric_version}`);
  }
  reasons.push(...suiteReasons(a, labelA, b, labelB));
  if (reasons.length > 0) {
    return notComparable(reasons);
  }

  const cautions = scorerCautions(a, b);
  const elicitationReasons = compareElicitation(
    a.protocol?.elicitation,
    labelA,
    b.protocol?.elicitation,
    labelB,
    options.requiredElicitation ?? DEFAULT_REQUIRED_ELICITATION,
  );
  if (elicitationReasons.length > 0) {
    return { class: "same_suite_different_elicitation", reasons: elicitationReasons, cautions };
  }
  return { class: "direct", reasons: [], cautions };
}

function notComparable(reasons: string[]): Comparability {
  return { class: "not_comparable", reasons, cautions: [] };
}

function describeSuite(suite: Suite): string {
  return `${suite.id}@${suite.version} ${suite.digest.slice(0, 19)}…`;
}

function suiteReasons(a: Result, labelA: string, b: Result, labelB: string): string[] {
  const reasons: string[] = [];
  for (const [label, result] of [
    [labelA, a],
    [labelB, b],
  ] as const) {
    if (result.protocol?.suite !== undefined) {
      continue;
    }
    // A value copied from a document usually comes without the items it was
    // measured on; two such values may share a name and still differ in what
    // they measured.
    const source =
      result.citation === undefined ? "" : ` (transcribed from ${result.citation.document})`;
    reasons.push(
      `${label} states no suite digest${source}, so its protocol cannot be confirmed equal`,
    );
  }
  const suiteA = a.protocol?.suite;
  const suiteB = b.protocol?.suite;
  if (suiteA !== undefined && suiteB !== undefined && suiteA.digest !== suiteB.digest) {
    reasons.push(`suite digest differs: ${describeSuite(suiteA)} vs ${describeSuite(suiteB)}`);
  }
  return reasons;
}

const ELICITATION_FIELDS: readonly (keyof Elicitation)[] = [
  "system_prompt_digest",
  "temperature",
  "top_p",
  "max_tokens",
  "reasoning",
  "tools",
  "scaffold",
  "max_steps",
  "time_limit_seconds",
];

function formatSetting(value: unknown): string {
  if (value === undefined) {
    return "not stated";
  }
  if (Array.isArray(value)) {
    return value.length === 0 ? "none" : value.join(", ");
  }
  return String(value);
}

function normalise(field: keyof Elicitation, value: unknown): string | undefined {
  if (value === undefined) {
    return undefined;
  }
  // The tools offered are a set: their order in the report carries no meaning.
  if (field === "tools" && Array.isArray(value)) {
    return JSON.stringify([...value].sort());
  }
  return JSON.stringify(value);
}

function compareElicitation(
  a: Elicitation | undefined,
  labelA: string,
  b: Elicitation | undefined,
  labelB: string,
  required: readonly string[],
): string[] {
  if (a === undefined || b === undefined) {
    const missing = [
      a === undefined ? labelA : undefined,
      b === undefined ? labelB : undefined,
    ].filter((label) => label !== undefined);
    return [
      `elicitation not stated for ${missing.join(" and ")}, so the settings cannot be confirmed equal`,
    ];
  }
  const reasons: string[] = [];
  for (const field of ELICITATION_FIELDS) {
    if (required.includes(field) && (a[field] === undefined || b[field] === undefined)) {
      const missing = [
        a[field] === undefined ? labelA : undefined,
        b[field] === undefined ? labelB : undefined,
      ];
      reasons.push(
        `${field} not stated for ${missing.filter((label) => label !== undefined).join(" and ")}, so it cannot be confirmed equal`,
      );
      continue;
    }
    if (normalise(field, a[field]) !== normalise(field, b[field])) {
      reasons.push(`${field} differs: ${formatSetting(a[field])} vs ${formatSetting(b[field])}`);
    }
  }
  return reasons;
}

function scorerCautions(a: Result, b: Result): string[] {
  const scorerA = a.protocol?.scorer;
  const scorerB = b.protocol?.scorer;
  if (scorerA === undefined && scorerB === undefined) {
    return [];
  }
  if (scorerA === undefined || scorerB === undefined) {
    return ["the scorer is stated for only one of the two results"];
  }
  const cautions: string[] = [];
  for (const field of ["kind", "id", "judge_model", "judge_prompt_digest"] as const) {
    if (scorerA[field] !== scorerB[field]) {
      cautions.push(
        `scorer ${field} differs: ${formatSetting(scorerA[field])} vs ${formatSetting(scorerB[field])}`,
      );
    }
  }
  return cautions;
}
