import type { Result } from "../../spec/generated/report.js";
import { newcombeDifference, pairedProportionDifference } from "../../stats/index.js";
import type { OpenedReport } from "../open.js";
import type { Difference } from "./types.js";

/**
 * Per-item binary outcomes of one result: item id to 1 when the item counts
 * in the numerator, 0 when it counts only in the denominator. Items outside
 * the denominator are left out.
 */
export type ItemOutcomes = ReadonlyMap<string, 0 | 1>;

/** Reads the per-item outcomes a result attaches; throws a CandorError saying why they cannot be used. */
export type OutcomeSource = (report: OpenedReport, result: Result) => Promise<ItemOutcomes>;

export interface Side {
  report: OpenedReport;
  result: Result;
}

export type DifferenceOutcome = { difference: Difference; caution?: string } | { note: string };

function isDistinguishable(lower: number, upper: number): boolean {
  return lower > 0 || upper < 0;
}

/**
 * Computes the difference second minus first of two directly comparable
 * results. Only proportions with stated counts qualify. When both results
 * attach per-item outcomes over the same item ids, the difference is paired
 * (the stats module's paired score interval and McNemar's exact test); otherwise the two
 * samples are treated as independent (Newcombe's hybrid score interval).
 */
export async function differenceFor(
  first: Side,
  second: Side,
  options: { unit: string | undefined; level: number; outcomes?: OutcomeSource },
): Promise<DifferenceOutcome> {
  if (options.unit !== "proportion") {
    return {
      note:
        options.unit === undefined
          ? "no difference: the metric is not in the registry, so it is not known to be a proportion"
          : `no difference: intervals for differences are computed for proportions, and this metric's unit is ${options.unit}`,
    };
  }
  const a = first.result;
  const b = second.result;
  for (const [label, result] of [
    ["first", a],
    ["second", b],
  ] as const) {
    if (result.numerator === undefined || result.sample_size === undefined) {
      return {
        note: `no difference: the ${label} result does not state its count and sample size`,
      };
    }
  }

  const cautions: string[] = [];
  if (options.outcomes !== undefined && a.outcomes !== undefined && b.outcomes !== undefined) {
    const paired = await pairedDifference(first, second, options.outcomes, options.level);
    if ("difference" in paired) {
      return paired;
    }
    cautions.push(paired.note);
  }

  const clustered = [a, b].some(
    (result) => result.clusters !== undefined && result.clusters < (result.sample_size ?? 0),
  );
  if (clustered) {
    cautions.push(
      "units are clustered, and the Newcombe interval assumes independent units, so it is too narrow",
    );
  }
  const newcombe = newcombeDifference(
    b.numerator as number,
    b.sample_size as number,
    a.numerator as number,
    a.sample_size as number,
    options.level,
  );
  const difference: Difference = {
    estimate: newcombe.difference,
    lower: newcombe.lower,
    upper: newcombe.upper,
    level: options.level,
    method: "newcombe",
    distinguishable: isDistinguishable(newcombe.lower, newcombe.upper),
  };
  return cautions.length === 0 ? { difference } : { difference, caution: cautions.join("; ") };
}

async function pairedDifference(
  first: Side,
  second: Side,
  source: OutcomeSource,
  level: number,
): Promise<{ difference: Difference } | { note: string }> {
  let outcomesA: ItemOutcomes;
  let outcomesB: ItemOutcomes;
  try {
    outcomesA = await source(first.report, first.result);
    outcomesB = await source(second.report, second.result);
  } catch (error) {
    return {
      note: `per-item outcomes not used (${(error as Error).message}), so the samples are treated as independent`,
    };
  }

  const shared = [...outcomesA.keys()].filter((id) => outcomesB.has(id));
  if (shared.length === 0 || shared.length !== outcomesA.size || shared.length !== outcomesB.size) {
    return {
      note: `per-item outcomes cover different items (${shared.length} shared of ${outcomesA.size} and ${outcomesB.size}), so the samples are treated as independent`,
    };
  }

  // The paired functions compute first minus second, so the second report's
  // outcome goes first to keep every difference "second minus first".
  const pairs = shared.map(
    (id) => [outcomesB.get(id) as 0 | 1, outcomesA.get(id) as 0 | 1] as const,
  );
  const paired = pairedProportionDifference(pairs, { level });
  return {
    difference: {
      estimate: paired.difference,
      lower: paired.lower,
      upper: paired.upper,
      level,
      method: "paired",
      pairedInterval: paired.intervalFormula,
      distinguishable: isDistinguishable(paired.lower, paired.upper),
      // In the table the second report's outcome comes first, so "second
      // only" counts items where only the first report's outcome is 1.
      test: {
        name: "mcnemar_exact",
        pValue: paired.test.pValue,
        discordant: [paired.table.secondOnly, paired.table.firstOnly],
      },
      pairedItems: shared.length,
    },
  };
}
