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
