import { quote } from "../../errors.js";
import type { Result } from "../generated/report.js";
import { formatPointer, isPlainObject, resolvePointer } from "../pointer.js";
import type { RegistryMetric } from "../registry.js";
import type { CheckContext } from "./context.js";
import { checkStatistics } from "./statistics.js";

/**
 * Runs the per-result rules on every result that passed the schema. Results
 * with schema errors are left to those errors.
 */
export function checkResults(context: CheckContext): void {
  const results = context.report.results;
  if (!Array.isArray(results)) {
    return;
  }
  for (const [index, result] of results.entries()) {
    const pointer = formatPointer(["results", index]);
    if (!context.isClean(pointer)) {
      continue;
    }
    const metric = checkMetricId(context, result, pointer);
    checkStatus(context, result, pointer, metric);
    checkCitation(context, result, pointer);
    if (result.status === "reported") {
      checkStatistics(context, result, pointer, metric);
    }
  }
}

/** Looks the metric up in the registry; returns its definition when id and version are known. */
function checkMetricId(
  context: CheckContext,
  result: Result,
  pointer: string,
): RegistryMetric | undefined {
  const { registry } = context;
  const versions = registry.versions(result.metric);
  if (versions.length === 0) {
    const suggestions = registry.suggest(result.metric);
    context.add(
      "result.unknown_metric",
      `${pointer}/metric`,
      `metric ${quote(result.metric)} is not in the registry`,
      suggestions.length > 0
        ? `did you mean ${suggestions.map((id) => quote(id)).join(" or ")}? \`candor metrics\` lists every id`
        : "use an id from the registry; `candor metrics` lists them, and new metrics are proposed through the revision process",
      result.metric,
    );
    return undefined;
  }

  const metric = registry.getVersion(result.metric, result.metric_version);
  if (metric === undefined) {
    context.add(
      "result.unknown_metric_version",
      `${pointer}/metric_version`,
      `metric ${quote(result.metric)} has no version ${result.metric_version}`,
      `use a published version: ${versions.map((entry) => entry.version).join(", ")}`,
      result.metric_version,
    );
    return undefined;
  }

  if (metric.stability === "deprecated") {
    const successor = metric.deprecation?.successor;
    context.add(
      "result.deprecated_metric",
      `${pointer}/metric`,
      `metric ${quote(metric.id)} version ${metric.version} is deprecated (${metric.deprecation?.reason ?? "no reason given"})${successor === undefined ? "" : `; its successor is ${quote(successor)}`}`,
      successor === undefined
        ? (metric.deprecation?.note ?? "stop reporting this metric")
        : `report ${quote(successor)} instead. ${metric.deprecation?.note ?? ""}`.trim(),
      metric.id,
    );
  }
  return metric;
}

/** Rules tied to the status: what a reported, withheld or undisclosed result must and must not carry. */
function checkStatus(
  context: CheckContext,
  result: Result,
  pointer: string,
  metric: RegistryMetric | undefined,
): void {
  const measured = context.measured;

  if (result.status !== "reported") {
    for (const member of ["value", "interval", "breakdowns"] as const) {
      if (result[member] !== undefined) {
        context.add(
          "result.unexpected_value",
          `${pointer}/${member}`,
          `a result with status ${quote(result.status)} carries ${member}`,
          `remove ${member}, or set status to "reported" if the value is meant to be published`,
          result[member],
        );
      }
    }
  }

  if (result.status === "withheld" && result.reason === undefined) {
    context.add(
      "result.reason_missing",
      `${pointer}/reason`,
      "a withheld result has no reason",
      "add reason: { code, text }, with code one of safety, security, privacy, legal, commercial, pending, other",
    );
  }

  if (result.status === "not_disclosed" && context.relationship === "first_party") {
    context.add(
      "result.not_disclosed_first_party",
      `${pointer}/status`,
      "a first-party publisher used not_disclosed, which is reserved for sources that are silent for unknown reasons",
      "the developer knows why there is no value: use withheld (with a reason), not_evaluated or not_applicable",
      result.status,
    );
  }

  if (result.status !== "reported") {
    return;
  }

  if (result.value === undefined) {
    context.add(
      "result.value_missing",
      `${pointer}/value`,
      "a reported result has no value",
      "add the value, or use another status (withheld, not_evaluated, not_applicable) that gives the reason there is none",
    );
  }

  if (measured === false && result.citation === undefined) {
    context.add(
      "citation.missing",
      `${pointer}/citation`,
      "a value transcribed from documentation has no citation",
      "add citation: { document, locator } naming the document id and the section, table and page",
    );
  }

  if (measured !== true) {
    return;
  }
  if (result.sample_size === undefined) {
    context.add(
      "result.sample_size_missing",
      `${pointer}/sample_size`,
      "a measured result has no sample_size",
      "add sample_size: the number of scored units in the denominator, after excluding errors and unscored units",
    );
  }
  if (result.interval === undefined) {
    context.add(
      "result.interval_missing",
      `${pointer}/interval`,
      "a measured result has no confidence interval",
      "add interval: { lower, upper, level, method }, using the method the registry names for the metric",
    );
  }
  if (metric !== undefined) {
    const unrecorded: readonly string[] = result.protocol?.elicitation?.unrecorded ?? [];
    for (const field of metric.required_protocol_fields) {
      if (resolvePointer(result, field).found) {
        continue;
      }
      // A value the publisher cannot know (completions generated by someone
      // else) may be declared unrecorded: visible, but not a broken report.
      const elicitationField = field.startsWith("/protocol/elicitation/")
        ? field.slice("/protocol/elicitation/".length)
        : undefined;
      if (elicitationField !== undefined && unrecorded.includes(elicitationField)) {
        context.add(
          "protocol.field_unrecorded",
          `${pointer}${field}`,
          `metric ${quote(metric.id)} requires ${field}, and the publisher declares it unrecorded`,
          "record the setting when it is known; results with unrecorded settings are never directly comparable",
        );
      } else {
        context.add(
          "protocol.field_missing",
          `${pointer}${field}`,
          `metric ${quote(metric.id)} requires ${field} in a measured result, and it is missing`,
          `add ${field.slice(1).replaceAll("/", ".")}; \`candor metrics show ${metric.id}\` lists the required fields`,
        );
      }
    }
  }
  const scorer = result.protocol?.scorer;
  if (scorer?.kind === "model_judge") {
    const missing = (["judge_model", "judge_prompt_digest"] as const).filter(
      (member) => scorer[member] === undefined,
    );
    if (missing.length > 0) {
      context.add(
        "protocol.judge_incomplete",
        `${pointer}/protocol/scorer`,
        `a model_judge scorer lacks ${missing.join(" and ")}, so readers cannot tell which judge scored the responses`,
        "add judge_model (the judge's model id) and judge_prompt_digest (sha256 of the judge prompt template)",
      );
    }
  }
}

/** A citation must name a document listed in the report. */
function checkCitation(context: CheckContext, result: Result, pointer: string): void {
  const citation = result.citation;
  if (citation === undefined || !context.isIntact("/documents")) {
    return;
  }
  // A document entry that failed the schema (null, a number) leaves
  // /documents intact, so entries are checked to be objects before use.
  const documents = (context.report.documents ?? []).filter((document) => isPlainObject(document));
  if (!documents.some((document) => document.id === citation.document)) {
    context.add(
      "citation.unknown_document",
      `${pointer}/citation/document`,
      `the citation names document ${quote(citation.document)}, which is not in the report's documents`,
      documents.length === 0
        ? "add the document to documents: { id, title, author, ... }"
        : `use one of the listed ids (${documents.map((document) => document.id).join(", ")}) or add the document`,
      citation.document,
    );
  }
}
