/**
 * The shipped agentic suites by id: the tier-2 suites of registry.ts, each
 * with a loader that imports its suite on demand. The loader table is typed
 * by those ids, so a tier-2 suite added to registry.ts without a loader here
 * fails to compile. This file is not re-exported from index.ts, because the
 * suites it loads import the rest of this folder.
 */

import { quote, UsageError } from "../../errors.js";
import { SUITES } from "../registry.js";
import type { AgenticSuite } from "./suite.js";

/** Ids of the suites that run through the agent loop: the tier-2 suites of registry.ts. */
export type AgenticSuiteId = Extract<(typeof SUITES)[number], { tier: 2 }>["id"];

/** Loads each agentic suite from suites/<id>. */
export const AGENTIC_SUITE_LOADERS: {
  readonly [Id in AgenticSuiteId]: () => Promise<AgenticSuite>;
} = {
  "reward-hacking": async () =>
    (await import("../reward-hacking/suite.js")).loadRewardHackingSuite(),
  destructiveness: async () =>
    (await import("../destructiveness/suite.js")).loadDestructivenessSuite(),
  concealment: async () => (await import("../concealment/suite.js")).loadConcealmentSuite(),
  containment: async () => (await import("../containment/suite.js")).loadContainmentSuite(),
};

/** Ids of the shipped agentic suites, in the order of registry.ts. */
export const AGENTIC_SUITE_IDS: readonly AgenticSuiteId[] = SUITES.flatMap((suite) =>
  suite.tier === 2 ? [suite.id] : [],
);

/** Reports whether a suite id names an agentic suite, which runs through the agent loop. */
export function isAgenticSuiteId(id: string): id is AgenticSuiteId {
  return Object.hasOwn(AGENTIC_SUITE_LOADERS, id);
}

/** Loads a shipped agentic suite; throws UsageError for an unknown id. */
export function loadAgenticSuiteById(id: string): Promise<AgenticSuite> {
  if (!isAgenticSuiteId(id)) {
    throw new UsageError(
      `unknown agentic suite ${quote(id)}`,
      `Known agentic suites: ${AGENTIC_SUITE_IDS.join(", ")}.`,
    );
  }
  return AGENTIC_SUITE_LOADERS[id]();
}
