/**
 * A proportion metric over scored units: the value with its Wilson
 * interval and breakdowns, as a report result carries it.
 */

import { intervalOf, wilsonInterval } from "../../stats/index.js";
import type { MeasuredMetric } from "../types.js";
import { proportionBreakdown } from "./breakdowns.js";

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

  // A dimension no unit has a key for is left out.
  const breakdowns = dimensions
    .map(({ dimension, key }) => proportionBreakdown(units, dimension, key, counts))
    .filter((breakdown) => breakdown.groups.length > 0);

  return {
    metric: ref.metric,
    metric_version: ref.version,
    value: numerator / units.length,
    sample_size: units.length,
    numerator,
    unscored,
    interval: intervalOf(wilsonInterval(numerator, units.length)),
    ...(breakdowns.length === 0 ? {} : { breakdowns }),
  };
}
