import { quote } from "../../errors.js";
import { formatPointer, isPlainObject } from "../pointer.js";
import type { CheckContext } from "./context.js";

/** Checks the model block: identity and version, which depend on the publisher relationship. */
export function checkModel(context: CheckContext): void {
  const measured = context.measured;
  if (measured !== true || !context.isClean("/model")) {
    return;
  }
  const { model } = context.report;

  if (model.weights_digest === undefined && model.endpoint === undefined) {
    context.add(
      "model.identity_missing",
      "/model",
      "the model gives neither weights_digest nor endpoint, so readers cannot tell which artefact was measured",
      "add weights_digest (sha256 of the evaluated weights) or endpoint (API base URL and model identifier)",
    );
  }
  if (model.version === undefined) {
    context.add(
      "model.version_missing",
      "/model/version",
      "the model has no version; only reports transcribed from documentation that gives none may leave it out",
      "add the version, snapshot date or checkpoint name of the evaluated model",
    );
  }
}

/** Checks that document ids are unique, so citations resolve to one document. */
export function checkDocuments(context: CheckContext): void {
  const documents = context.report.documents;
  if (documents === undefined || !context.isClean("/documents")) {
    return;
  }
  const seen = new Set<string>();
  for (const [index, document] of documents.entries()) {
    if (seen.has(document.id)) {
      context.add(
        "document.duplicate_id",
        formatPointer(["documents", index, "id"]),
        `document id ${quote(document.id)} is used by more than one document`,
        "give each document its own id and update the citations that name it",
        document.id,
      );
    }
    seen.add(document.id);
  }
}

/**
 * Checks coverage: no metric and variant appears twice, and every stable
 * metric of the claimed tier and the tiers below has a result. A metric counts
 * as present when any result names its id, whatever the version, variant or
 * status.
 */
export function checkCoverage(context: CheckContext): void {
  const results = context.report.results;
  if (!Array.isArray(results)) {
    return;
  }

  const present = new Set<string>();
  const seen = new Map<string, number>();
  let everyMetricReadable = context.isIntact("/results");
  for (const [index, result] of results.entries()) {
    const pointer = formatPointer(["results", index]);
    if (
      !isPlainObject(result) ||
      typeof result.metric !== "string" ||
      !context.isClean(`${pointer}/metric`)
    ) {
      everyMetricReadable = false;
      continue;
    }
    present.add(result.metric);
    if (!context.isClean(`${pointer}/variant`)) {
      continue;
    }
    const variant = typeof result.variant === "string" ? result.variant : undefined;
    const key = `${result.metric}\u0000${variant ?? ""}`;
    const first = seen.get(key);
    if (first !== undefined) {
      const label =
        variant === undefined
          ? quote(result.metric)
          : `${quote(result.metric)} variant ${quote(variant)}`;
      context.add(
        "result.duplicate",
        pointer,
        `${label} already has a result at /results/${first}`,
        "keep one result per metric and variant; give results on other suites or settings distinct variant labels",
        variant === undefined ? result.metric : `${result.metric} (${variant})`,
      );
    } else {
      seen.set(key, index);
    }
  }

  // A result whose metric id is unreadable might be the one that looks
  // missing, so coverage is judged only when every id could be read.
  const claimedTier = context.report.claimed_tier;
  if (!context.isClean("/claimed_tier") || !everyMetricReadable) {
    return;
  }
  for (const metric of context.registry.requiredForTier(claimedTier)) {
    if (!present.has(metric.id)) {
      context.add(
        "result.missing",
        "/results",
        `stable tier-${metric.tier} metric ${quote(metric.id)} has no result, but the report claims tier ${claimedTier}`,
        "add a result for it: reported with a value, or withheld, not_evaluated, not_applicable (or not_disclosed in documentation and third-party reports) with a reason",
        metric.id,
      );
    }
  }
}
