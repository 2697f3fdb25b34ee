import type { Breakdown, Interval } from "../../spec/generated/report.js";
import { wilsonInterval } from "../../stats/index.js";
import type { MeasuredMetric } from "../types.js";

/** A dimension to break a proportion down by: the group key of each unit, or undefined to leave the unit out. */
export interface BreakdownDimension<Unit> {
  dimension: string;
  key: (unit: Unit) => string | undefined;
}

/** A registry metric id and version. */
export interface MetricRef {
  metric: string;
  version: number;
}

/**
 * Measures a proportion over `units` (the denominator, unscored units
 * already removed): the share for which `counts` is true, with a Wilson 95%
 * interval and, for each dimension, one group per key with its own Wilson
 * interval. A dimension is a partition when every unit has a key. Returns
 * undefined when there is no unit, because the value is then undefined.
 */
export function measureProportion<Unit>(
  ref: MetricRef,
  units: readonly Unit[],
  counts: (unit: Unit) => boolean,
  unscored: number,
  dimensions: readonly BreakdownDimension<Unit>[] = [],
): MeasuredMetric | undefined {
  if (units.length === 0) {
    return undefined;
  }
  const numerator = units.filter(counts).length;

  const breakdowns: Breakdown[] = [];
  for (const { dimension, key } of dimensions) {
    const groups = new Map<string, Unit[]>();
    for (const unit of units) {
      const group = key(unit);
      if (group !== undefined) {
        groups.set(group, [...(groups.get(group) ?? []), unit]);
      }
    }
    if (groups.size === 0) {
      continue;
    }
    const grouped = [...groups.values()].reduce((sum, members) => sum + members.length, 0);
    breakdowns.push({
      dimension,
      partition: grouped === units.length,
      groups: [...groups.keys()].sort().map((group) => {
        const members = groups.get(group) as Unit[];
        const groupNumerator = members.filter(counts).length;
        return {
          key: group,
          value: groupNumerator / members.length,
          sample_size: members.length,
          numerator: groupNumerator,
          interval: wilson(groupNumerator, members.length),
        };
      }),
    });
  }

  return {
    metric: ref.metric,
    metric_version: ref.version,
    value: numerator / units.length,
    sample_size: units.length,
    numerator,
    unscored,
    interval: wilson(numerator, units.length),
    ...(breakdowns.length === 0 ? {} : { breakdowns }),
  };
}

function wilson(successes: number, n: number): Interval {
  const interval = wilsonInterval(successes, n);
  return { lower: interval.lower, upper: interval.upper, level: interval.level, method: "wilson" };
}
