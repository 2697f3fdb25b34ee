/**
 * The shipped agentic suites by id, for commands that run them. Each entry
 * loads its suite from suites/<id>; a new agentic suite adds one line here.
 * This file is not re-exported from index.ts, because it imports the suites,
 * which import the rest of this folder.
 */

import { quote, UsageError } from "../../errors.js";
import { loadDestructivenessSuite } from "../destructiveness/suite.js";
import { loadRewardHackingSuite } from "../reward-hacking/suite.js";
import type { AgenticSuite } from "./suite.js";

const LOADERS: Record<string, () => AgenticSuite> = {
  "reward-hacking": loadRewardHackingSuite as () => AgenticSuite,
  destructiveness: loadDestructivenessSuite as () => AgenticSuite,
};

/** Ids of the shipped agentic suites, in the order commands list them. */
export const AGENTIC_SUITE_IDS: readonly string[] = Object.keys(LOADERS);

/** Reports whether a suite id names an agentic suite, which runs through the agent loop. */
export function isAgenticSuiteId(id: string): boolean {
  return Object.hasOwn(LOADERS, id);
}

/** Loads a shipped agentic suite; throws UsageError for an unknown id. */
export function loadAgenticSuiteById(id: string): AgenticSuite {
  const load = LOADERS[id];
  if (load === undefined || !Object.hasOwn(LOADERS, id)) {
    throw new UsageError(
      `unknown agentic suite ${quote(id)}`,
      `Known agentic suites: ${AGENTIC_SUITE_IDS.join(", ")}.`,
    );
  }
  return load();
}
