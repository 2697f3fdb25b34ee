import { comparability } from "../../spec/comparability.js";
import type { Result } from "../../spec/generated/report.js";

/** A set of results for one metric that are pairwise directly comparable. */
export interface ComparabilityGroup {
  /** Group label shown beside values: 1, 2, … */
  label: string;
  /** Indexes into the list of results given to groupResults. */
  members: number[];
  suite?: { id: string; version: string; digest: string };
}

/**
 * Groups reported results so that every two members of a group are directly
 * comparable. A result joins the first group whose every member it is
 * directly comparable with. A result whose protocol is not stated, or that
 * matches no other, gets a group of one, which is still returned so that the
 * caller can mark the value as comparable with no other.
 */
export function groupResults(
  results: readonly (Result | undefined)[],
  requiredElicitation?: readonly string[],
): { groups: ComparabilityGroup[]; groupOf: (string | undefined)[] } {
  const groups: ComparabilityGroup[] = [];
  const groupOf: (string | undefined)[] = results.map(() => undefined);

  results.forEach((result, index) => {
    if (result?.status !== "reported" || result.value === undefined) {
      return;
    }
    const home = groups.find((group) =>
      group.members.every((member) => {
        const other = results[member];
        const options = requiredElicitation === undefined ? {} : { requiredElicitation };
        return other !== undefined && comparability(other, result, options).class === "direct";
      }),
    );
    if (home !== undefined) {
      home.members.push(index);
      groupOf[index] = home.label;
      return;
    }
    const suite = result.protocol?.suite;
    const group: ComparabilityGroup = {
      label: String(groups.length + 1),
      members: [index],
      ...(suite === undefined
        ? {}
        : { suite: { id: suite.id, version: suite.version, digest: suite.digest } }),
    };
    groups.push(group);
    groupOf[index] = group.label;
  });
  return { groups, groupOf };
}
