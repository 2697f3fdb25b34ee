import { isPlainObject } from "./pointer.js";
import type { Registry } from "./registry.js";

/** Highest coverage tier the standard defines. */
export const MAX_TIER = 3;

/**
 * Computes the tier a report reaches: the highest t such that each tier from
 * 1 to t has at least one stable metric in the registry, and each of those
 * metrics has a reported result that `counts` accepts. Returns 0 when tier 1
 * is not reached. The validator passes a `counts` that rejects results with
 * errors.
 */
export function computeReachedTier(
  results: unknown,
  registry: Registry,
  counts: (index: number) => boolean = () => true,
): number {
  if (!Array.isArray(results)) {
    return 0;
  }
  const reported = new Set<string>();
  for (const [index, result] of results.entries()) {
    if (
      isPlainObject(result) &&
      result.status === "reported" &&
      typeof result.metric === "string" &&
      counts(index)
    ) {
      reported.add(result.metric);
    }
  }

  let reached = 0;
  for (let tier = 1; tier <= MAX_TIER; tier++) {
    const required = registry.stableForTier(tier);
    if (required.length === 0 || !required.every((metric) => reported.has(metric.id))) {
      break;
    }
    reached = tier;
  }
  return reached;
}

/** A stable metric that keeps a report from reaching its claimed tier. */
export interface TierGap {
  metric: string;
  /** Status of its result; undefined when no result names the metric. */
  status: string | undefined;
  /** Index of that result in `results`, when there is one. */
  index: number | undefined;
}

/**
 * Lists the stable metrics of tiers 1 to `tier` that have no reported result
 * accepted by `counts`, in registry order: what stands between a report and
 * the tier it claims.
 */
export function tierGaps(
  results: unknown,
  registry: Registry,
  tier: number,
  counts: (index: number) => boolean = () => true,
): TierGap[] {
  const entries = Array.isArray(results) ? results : [];
  const gaps: TierGap[] = [];
  for (const metric of registry.requiredForTier(tier)) {
    // Variants give a metric several results; one reported result suffices.
    const indexes = entries.flatMap((result, index) =>
      isPlainObject(result) && result.metric === metric.id ? [index] : [],
    );
    const reported = indexes.some(
      (index) => (entries[index] as { status?: unknown }).status === "reported" && counts(index),
    );
    if (reported) {
      continue;
    }
    const first = indexes[0];
    const result: unknown = first === undefined ? undefined : entries[first];
    const status =
      isPlainObject(result) && typeof result.status === "string" ? result.status : undefined;
    gaps.push({ metric: metric.id, status, index: first });
  }
  return gaps;
}
