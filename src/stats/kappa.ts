import { formatValue, StatsError } from "./errors.js";
import { clip, DEFAULT_LEVEL } from "./interval.js";
import { normalCriticalValue } from "./normal.js";
import { assertLevel, assertMinimumLength, assertSameLength } from "./validate.js";
import { type WilsonInterval, wilsonInterval } from "./wilson.js";

/** A category label given by a rater. */
export type Label = string | number | boolean;

export interface CohenKappaOptions {
  /** Confidence level of the kappa and agreement intervals, 0.95 when unset. */
  readonly level?: number;
  /**
   * Categories in the order of the confusion matrix. When unset, the labels
   * that occur: numbers ascending, then strings in UTF-16 code-unit order,
   * then false and true. Listing a category that no rater used adds an empty
   * row and column.
   */
  readonly categories?: readonly Label[];
}

/** Agreement between two raters who labelled the same items. */
export interface CohenKappa {
  /** Cohen's kappa, (pₒ − pₑ) / (1 − pₑ). */
  readonly kappa: number;
  /** Number of items. */
  readonly n: number;
  /** pₒ: share of items on which the raters agree. */
  readonly observedAgreement: number;
  /** pₒ as a percentage. */
  readonly percentAgreement: number;
  /** pₑ: agreement expected by chance from the two raters' label frequencies. */
  readonly expectedAgreement: number;
  /** Wilson interval of the observed agreement, at the same level. */
  readonly agreementInterval: WilsonInterval;
  readonly categories: readonly Label[];
  /** counts[i][j]: items that rater A labelled categories[i] and rater B labelled categories[j]. */
  readonly confusionMatrix: readonly (readonly number[])[];
  /** Large-sample standard error of kappa (Fleiss, Cohen and Everitt 1969), without assuming kappa = 0. */
  readonly standardError: number;
  /** Standard error under the null hypothesis kappa = 0, for testing chance-level agreement. */
  readonly standardErrorUnderNull: number;
  readonly lower: number;
  readonly upper: number;
  readonly level: number;
  readonly method: "wald";
}

/**
 * Computes Cohen's kappa for two raters over any number of categories, with
 * the confusion matrix, the observed agreement and a normal interval
 * kappa ± z·SE clipped to [−1, 1].
 *
 * With pᵢⱼ the share of items in cell (i, j), pᵢ. and p.ⱼ the row and column
 * shares, the standard error is the large-sample one of Fleiss, Cohen and
 * Everitt (1969):
 *
 *   Var = [ Σᵢ pᵢᵢ (1 − (pᵢ. + p.ᵢ)(1 − κ))² + (1 − κ)² Σ_{i≠j} pᵢⱼ (p.ᵢ + pⱼ.)²
 *           − (κ − pₑ(1 − κ))² ] / (n (1 − pₑ)²)
 *
 * and under κ = 0 it is Var₀ = [pₑ + pₑ² − Σᵢ pᵢ. p.ᵢ (pᵢ. + p.ᵢ)] / (n (1 − pₑ)²).
 * The interval relies on a large sample; with few items or a kappa near 1 it
 * can be too narrow.
 */
export function cohenKappa(
  labelsA: readonly Label[],
  labelsB: readonly Label[],
  options: CohenKappaOptions = {},
): CohenKappa {
  const level = options.level ?? DEFAULT_LEVEL;
  assertLevel(level);
  assertSameLength(["labelsA", "labelsB"], [labelsA.length, labelsB.length]);
  assertMinimumLength("labelsA", labelsA.length, 1);
  for (let index = 0; index < labelsA.length; index += 1) {
    assertLabel(`labelsA[${index}]`, labelsA[index]);
    assertLabel(`labelsB[${index}]`, labelsB[index]);
  }

  const categories = options.categories ?? sortedCategories([...labelsA, ...labelsB]);
  const position = new Map<Label, number>();
  categories.forEach((category, index) => {
    assertLabel(`categories[${index}]`, category);
    position.set(category, index);
  });

  // Confusion matrix: rows are rater A, columns rater B.
  const k = categories.length;
  const counts = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const n = labelsA.length;
  for (let item = 0; item < n; item += 1) {
    const row = categoryIndex(position, labelsA[item] as Label, `labelsA[${item}]`);
    const column = categoryIndex(position, labelsB[item] as Label, `labelsB[${item}]`);
    const cells = counts[row] as number[];
    cells[column] = (cells[column] ?? 0) + 1;
  }

  const cell = (i: number, j: number): number => (counts[i]?.[j] ?? 0) / n;
  const rowShares = counts.map((row) => row.reduce((sum, count) => sum + count, 0) / n);
  const columnShares = categories.map(
    (_, j) => counts.reduce((sum, row) => sum + (row[j] ?? 0), 0) / n,
  );

  let agreements = 0;
  let expected = 0;
  for (let i = 0; i < k; i += 1) {
    agreements += counts[i]?.[i] ?? 0;
    expected += (rowShares[i] ?? 0) * (columnShares[i] ?? 0);
  }
  const observed = agreements / n;

  // pₑ = 1 only when both raters gave every item one and the same category:
  // kappa is then 0 / 0.
  if (expected >= 1) {
    throw new StatsError(
      "undefined_statistic",
      "labelsA",
      categories,
      `Cohen's kappa is undefined because both raters used the single category ${formatValue(categories.find((_, i) => (rowShares[i] ?? 0) > 0))} for every item`,
      "Report the observed agreement instead, or label items on which the raters can differ.",
    );
  }
  const kappa = (observed - expected) / (1 - expected);

  // Fleiss, Cohen and Everitt (1969) large-sample variance.
  let diagonalTerm = 0;
  let offDiagonalTerm = 0;
  let nullTerm = 0;
  for (let i = 0; i < k; i += 1) {
    const rowI = rowShares[i] ?? 0;
    const columnI = columnShares[i] ?? 0;
    diagonalTerm += cell(i, i) * (1 - (rowI + columnI) * (1 - kappa)) ** 2;
    nullTerm += rowI * columnI * (rowI + columnI);
    for (let j = 0; j < k; j += 1) {
      if (j !== i) {
        offDiagonalTerm += cell(i, j) * (columnI + (rowShares[j] ?? 0)) ** 2;
      }
    }
  }
  const scale = n * (1 - expected) ** 2;
  const variance =
    (diagonalTerm + (1 - kappa) ** 2 * offDiagonalTerm - (kappa - expected * (1 - kappa)) ** 2) /
    scale;
  const nullVariance = (expected + expected ** 2 - nullTerm) / scale;
  // Rounding can leave a variance of a few ulps below 0 when kappa is 1.
  const standardError = Math.sqrt(Math.max(0, variance));

  const z = normalCriticalValue(level);
  return {
    kappa,
    n,
    observedAgreement: observed,
    percentAgreement: 100 * observed,
    expectedAgreement: expected,
    agreementInterval: wilsonInterval(agreements, n, level),
    categories: [...categories],
    confusionMatrix: counts,
    standardError,
    standardErrorUnderNull: Math.sqrt(Math.max(0, nullVariance)),
    lower: clip(kappa - z * standardError, [-1, 1]),
    upper: clip(kappa + z * standardError, [-1, 1]),
    level,
    method: "wald",
  };
}

function assertLabel(parameter: string, label: unknown): void {
  const valid =
    typeof label === "string" ||
    typeof label === "boolean" ||
    (typeof label === "number" && Number.isFinite(label));
  if (!valid) {
    throw new StatsError(
      "invalid_value",
      parameter,
      label,
      `${parameter} must be a string, a finite number or a boolean, received ${formatValue(label)}`,
      "Remove unlabelled items from both raters' lists before computing agreement.",
    );
  }
}

function categoryIndex(
  position: ReadonlyMap<Label, number>,
  label: Label,
  parameter: string,
): number {
  const index = position.get(label);
  if (index === undefined) {
    throw new StatsError(
      "invalid_value",
      parameter,
      label,
      `${parameter} is ${formatValue(label)}, which is not in the categories option`,
      "List every label the raters used in categories.",
    );
  }
  return index;
}

function sortedCategories(labels: readonly Label[]): Label[] {
  const unique = [...new Set(labels)];
  const typeOrder = (label: Label): number => {
    if (typeof label === "number") {
      return 0;
    }
    if (typeof label === "string") {
      return 1;
    }
    return 2;
  };
  return unique.sort((a, b) => {
    const byType = typeOrder(a) - typeOrder(b);
    if (byType !== 0) {
      return byType;
    }
    if (typeof a === "number" && typeof b === "number") {
      return a - b;
    }
    const textA = String(a);
    const textB = String(b);
    if (textA === textB) {
      return 0;
    }
    return textA < textB ? -1 : 1;
  });
}
