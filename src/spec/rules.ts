import type { Severity } from "./problem.js";

/** A validation rule: its severity and a one-line summary of what it checks. */
export interface RuleInfo {
  severity: Severity;
  summary: string;
}

/**
 * Every rule code the validator emits. The code is the stable contract:
 * spec/rules.md documents each one, and the conformance vectors test each one.
 * Schema codes are `schema.` followed by the JSON Schema keyword in snake case.
 */
export const RULES = {
  "json.empty": { severity: "error", summary: "The file is empty or only whitespace." },
  "json.bom": { severity: "error", summary: "The file starts with a UTF-8 byte-order mark." },
  "json.encoding": { severity: "error", summary: "The file is not UTF-8." },
  "json.syntax": { severity: "error", summary: "The file is not JSON." },
  "json.non_finite": {
    severity: "error",
    summary: "NaN, Infinity or a number that overflows a double.",
  },
  "json.duplicate_key": { severity: "error", summary: "An object has the same member name twice." },
  "json.forbidden_key": {
    severity: "error",
    summary: "A member is named __proto__, constructor or prototype.",
  },
  "json.too_deep": {
    severity: "error",
    summary: "Objects and arrays nest deeper than the limit (64).",
  },
  "json.too_large": { severity: "error", summary: "The file is larger than the limit (16 MiB)." },

  "version.unsupported_major": {
    severity: "error",
    summary: "candor_version has a major version this validator does not read.",
  },
  "version.newer_minor": {
    severity: "warning",
    summary: "candor_version is a newer minor version; unknown members are ignored.",
  },

  "schema.required": { severity: "error", summary: "A required member is missing." },
  "schema.additional_property": {
    severity: "error",
    summary: "A member the schema does not define.",
  },
  "schema.type": { severity: "error", summary: "A value has the wrong JSON type." },
  "schema.enum": { severity: "error", summary: "A value is not one of the allowed values." },
  "schema.pattern": { severity: "error", summary: "A string does not match its pattern." },
  "schema.format": { severity: "error", summary: "A date, time or URI is malformed." },
  "schema.minimum": { severity: "error", summary: "A number is below its minimum." },
  "schema.maximum": { severity: "error", summary: "A number is above its maximum." },
  "schema.exclusive_minimum": {
    severity: "error",
    summary: "A number is not above its exclusive minimum.",
  },
  "schema.exclusive_maximum": {
    severity: "error",
    summary: "A number is not below its exclusive maximum.",
  },
  "schema.min_length": { severity: "error", summary: "A string is shorter than allowed." },
  "schema.max_length": { severity: "error", summary: "A string is longer than allowed." },
  "schema.min_items": { severity: "error", summary: "An array has fewer items than allowed." },
  "schema.max_items": { severity: "error", summary: "An array has more items than allowed." },
  "schema.property_name": {
    severity: "error",
    summary: "An extensions key is not a reverse domain name.",
  },

  "model.identity_missing": {
    severity: "error",
    summary: "A measured report gives neither a weights digest nor an endpoint.",
  },
  "model.version_missing": {
    severity: "error",
    summary: "A measured report gives no model version.",
  },
  "document.duplicate_id": { severity: "error", summary: "Two documents share an id." },

  "result.unknown_metric": { severity: "error", summary: "The metric id is not in the registry." },
  "result.unknown_metric_version": {
    severity: "error",
    summary: "The metric exists but not at this version.",
  },
  "result.deprecated_metric": { severity: "warning", summary: "The metric version is deprecated." },
  "result.duplicate": { severity: "error", summary: "Two results share a metric and variant." },
  "result.missing": {
    severity: "error",
    summary: "A stable metric of the claimed tier or below has no result.",
  },
  "result.value_missing": { severity: "error", summary: "A reported result has no value." },
  "result.sample_size_missing": {
    severity: "error",
    summary: "A measured reported result has no sample_size.",
  },
  "result.interval_missing": {
    severity: "error",
    summary: "A measured reported result has no interval.",
  },
  "result.reason_missing": { severity: "error", summary: "A withheld result has no reason." },
  "result.unexpected_value": {
    severity: "error",
    summary: "A result that is not reported carries a value, interval or breakdowns.",
  },
  "result.not_disclosed_first_party": {
    severity: "error",
    summary: "A first-party report uses not_disclosed.",
  },

  "value.out_of_range": { severity: "error", summary: "A value lies outside the metric's range." },
  "interval.inverted": {
    severity: "error",
    summary: "An interval's lower bound is above its upper bound.",
  },
  "interval.excludes_value": {
    severity: "error",
    summary: "An interval does not contain its value.",
  },
  "interval.out_of_range": {
    severity: "error",
    summary: "An interval bound lies outside the metric's range.",
  },
  "interval.level_missing": {
    severity: "error",
    summary: "A measured interval has no confidence level.",
  },
  "interval.as_printed_uncited": {
    severity: "error",
    summary: "An as_printed interval belongs to a result without a citation.",
  },
  "interval.wilson_mismatch": {
    severity: "warning",
    summary: "A wilson interval differs from the Wilson interval of numerator and sample_size.",
  },

  "sample.numerator_exceeds": {
    severity: "error",
    summary: "numerator is larger than sample_size.",
  },
  "sample.numerator_mismatch": {
    severity: "error",
    summary: "numerator / sample_size differs from the value of a proportion.",
  },
  "sample.clusters_exceed": { severity: "error", summary: "clusters is larger than sample_size." },
  "sample.group_exceeds": {
    severity: "error",
    summary: "A breakdown group is larger than the whole result.",
  },
  "sample.breakdown_mismatch": {
    severity: "error",
    summary: "The groups of a partition breakdown do not add up to the result.",
  },
  "breakdown.duplicate_dimension": {
    severity: "error",
    summary: "Two breakdowns share a dimension.",
  },
  "breakdown.duplicate_group": {
    severity: "error",
    summary: "Two groups of one breakdown share a key.",
  },
  "test.verdict_mismatch": {
    severity: "error",
    summary: "A test's verdict contradicts its p-value and alpha.",
  },

  "protocol.field_missing": {
    severity: "error",
    summary: "A measured reported result lacks a protocol field its metric requires.",
  },
  "envelope.invalid": {
    severity: "error",
    summary:
      "The file is a DSSE envelope that cannot be opened: malformed, or carrying no Candor report.",
  },
  "envelope.unverified": {
    severity: "error",
    summary: "Trusted keys were given and no signature of the envelope verifies with them.",
  },
  "protocol.field_unrecorded": {
    severity: "warning",
    summary: "A required elicitation field is absent and listed in elicitation.unrecorded.",
  },
  "protocol.judge_incomplete": {
    severity: "error",
    summary: "A model_judge scorer names no judge model or judge prompt digest.",
  },
  "citation.missing": {
    severity: "error",
    summary: "A reported result in a documentation report has no citation.",
  },
  "citation.unknown_document": {
    severity: "error",
    summary: "A citation names a document the report does not list.",
  },

  "outcomes.path_outside": {
    severity: "error",
    summary: "An outcomes path leaves the report's folder.",
  },
  "outcomes.file_missing": { severity: "error", summary: "An outcomes file does not exist." },
  "outcomes.digest_mismatch": {
    severity: "error",
    summary: "An outcomes file's digest differs from the one stated.",
  },
  "outcomes.count_mismatch": {
    severity: "error",
    summary: "An outcomes file's line count differs from the one stated.",
  },
} as const satisfies Record<string, RuleInfo>;

export type RuleCode = keyof typeof RULES;

/** Severity of a rule code; codes outside the catalogue are errors. */
export function severityOf(code: string): Severity {
  return (RULES as Record<string, RuleInfo>)[code]?.severity ?? "error";
}
