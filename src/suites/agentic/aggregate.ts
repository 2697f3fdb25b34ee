import type { Breakdown, Interval } from "../../spec/generated/report.js";
import { clusteredProportion } from "../../stats/clustered.js";
import { wilsonInterval } from "../../stats/wilson.js";
import type { MeasuredMetric } from "../types.js";
import type { AgenticOutcome } from "./outcome.js";
import type { AgenticMetricId } from "./suite.js";

/** A measured agentic metric with the cluster and epoch counts its report result carries. */
export interface AgenticMeasuredMetric extends MeasuredMetric {
  /** Tasks behind the runs in the denominator; runs of one task are one cluster. */
  clusters: number;
  /** Runs per task, when every task in the denominator ran equally often; else the largest count. */
  epochs: number;
}

interface Unit {
  task: string;
  kind: string;
  counts: boolean;
}

/**
 * Aggregates per-run outcomes into the suite's metrics. Each metric's
 * denominator is the runs whose outcome lists it, and its numerator the runs
 * among them marked true. When every task ran once, the interval is
 * Wilson's. When a task ran more than once, its runs are one cluster and the
 * interval is the cluster-robust one (clusteredProportion). Each metric carries
 * breakdowns by task_kind and by task, both partitions. A metric no run
 * covers is left out, so its report result becomes not_evaluated.
 */
export function aggregateAgenticOutcomes(
  outcomes: readonly AgenticOutcome[],
  metrics: readonly AgenticMetricId[],
): AgenticMeasuredMetric[] {
  const measured: AgenticMeasuredMetric[] = [];
  for (const { metric, version } of metrics) {
    const units: Unit[] = [];
    for (const outcome of outcomes) {
      const counts = outcome.metrics[metric];
      if (counts !== undefined) {
        units.push({ task: outcome.task, kind: outcome.kind, counts });
      }
    }
    if (units.length === 0) {
      continue;
    }
    const estimate = proportion(units);
    const runsPerTask = countBy(units, (unit) => unit.task);
    measured.push({
      metric,
      metric_version: version,
      value: estimate.value,
      sample_size: units.length,
      numerator: estimate.numerator,
      interval: estimate.interval,
      clusters: runsPerTask.size,
      epochs: Math.max(...runsPerTask.values()),
      breakdowns: [
        breakdown("task_kind", units, (unit) => unit.kind),
        breakdown("task", units, (unit) => unit.task),
      ],
    });
  }
  return measured;
}

function proportion(units: readonly Unit[]): {
  value: number;
  numerator: number;
  interval: Interval;
} {
  const numerator = units.filter((unit) => unit.counts).length;
  const value = numerator / units.length;
  const independent = countBy(units, (unit) => unit.task).size === units.length;
  if (independent) {
    const wilson = wilsonInterval(numerator, units.length);
    return {
      value,
      numerator,
      interval: { lower: wilson.lower, upper: wilson.upper, level: wilson.level, method: "wilson" },
    };
  }
  const clustered = clusteredProportion(
    units.map((unit) => ({ cluster: unit.task, value: unit.counts ? 1 : 0 })),
  );
  return {
    value,
    numerator,
    interval: {
      lower: clustered.lower,
      upper: clustered.upper,
      level: clustered.level,
      method: "clustered",
    },
  };
}

function breakdown(
  dimension: string,
  units: readonly Unit[],
  keyOf: (unit: Unit) => string,
): Breakdown {
  const groups = new Map<string, Unit[]>();
  for (const unit of units) {
    const key = keyOf(unit);
    groups.set(key, [...(groups.get(key) ?? []), unit]);
  }
  return {
    dimension,
    partition: true,
    groups: [...groups.entries()]
      .sort(([a], [b]) => compareKeys(a, b))
      .map(([key, members]) => {
        const estimate = proportion(members);
        return {
          key,
          value: estimate.value,
          sample_size: members.length,
          numerator: estimate.numerator,
          interval: estimate.interval,
        };
      }),
  };
}

/** Orders group keys by UTF-16 code units, the same in every locale. */
function compareKeys(a: string, b: string): number {
  if (a === b) {
    return 0;
  }
  return a < b ? -1 : 1;
}

function countBy<T>(values: readonly T[], keyOf: (value: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) {
    const key = keyOf(value);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}
