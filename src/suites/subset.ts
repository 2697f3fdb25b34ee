import type { SuiteItem } from "./types.js";

/**
 * Picks `limit` items for a shortened run, taking them in turn from each
 * category in the order categories first appear, and keeping the suite's
 * order within a category. A plain prefix would cover only the first
 * categories: the refusal items start with benign prompts, so a short prefix
 * would measure no harmful prompt at all. The pick is deterministic, so a
 * resumed run and a second lab running the same limit get the same items.
 */
export function spreadSubset<Item extends SuiteItem>(
  items: readonly Item[],
  limit: number | undefined,
): Item[] {
  if (limit === undefined || limit >= items.length) {
    return [...items];
  }

  const queues = new Map<string, Item[]>();
  for (const item of items) {
    const queue = queues.get(item.category);
    if (queue === undefined) {
      queues.set(item.category, [item]);
    } else {
      queue.push(item);
    }
  }

  const chosen = new Set<Item>();
  for (let round = 0; chosen.size < limit; round++) {
    for (const queue of queues.values()) {
      const item = queue[round];
      if (item !== undefined && chosen.size < limit) {
        chosen.add(item);
      }
    }
  }
  // Back in suite order, so item order never depends on the limit.
  return items.filter((item) => chosen.has(item));
}
