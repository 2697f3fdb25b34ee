/**
 * Breakdowns of a metric by a dimension of its units (category, suite,
 * difficulty), in the form of a report result's `breakdowns`.
 */

import type { Breakdown } from "../../spec/generated/report.js";
import { intervalOf, wilsonInterval } from "../../stats/index.js";

/** Groups units by key, in key order; a unit whose key is undefined is in no group. */
export function groupUnits<Unit>(
  units: readonly Unit[],
  key: (unit: Unit) => string | undefined,
): [string, Unit[]][] {
  const groups = new Map<string, Unit[]>();
  for (const unit of units) {
    const group = key(unit);
    if (group === undefined) {
      continue;
    }
    const members = groups.get(group);
    if (members === undefined) {
      groups.set(group, [unit]);
    } else {
      members.push(unit);
    }
  }
  return [...groups.keys()].sort().map((group) => [group, groups.get(group) as Unit[]]);
}

/**
 * Breaks a proportion down by `dimension`: for each group, the share of its
 * units for which `counts` is true, with a Wilson 95% interval. The
 * breakdown is a partition when every unit has a key.
 */
export function proportionBreakdown<Unit>(
  units: readonly Unit[],
  dimension: string,
  key: (unit: Unit) => string | undefined,
  counts: (unit: Unit) => boolean,
): Breakdown {
  const groups = groupUnits(units, key);
  const grouped = groups.reduce((sum, [, members]) => sum + members.length, 0);
  return {
    dimension,
    partition: grouped === units.length,
    groups: groups.map(([group, members]) => {
      const numerator = members.filter(counts).length;
      return {
        key: group,
        value: numerator / members.length,
        sample_size: members.length,
        numerator,
        interval: intervalOf(wilsonInterval(numerator, members.length)),
      };
    }),
  };
}
