import { binomialCdf, binomialPmf } from "./binomial.js";
import { assertCount } from "./validate.js";

/** McNemar's exact test on the discordant pairs of a paired 2×2 table. */
export interface McNemarExact {
  /** Pairs where only the first outcome is a success. */
  readonly firstOnly: number;
  /** Pairs where only the second outcome is a success. */
  readonly secondOnly: number;
  /** Two-sided exact p-value. */
  readonly pValue: number;
  /** Two-sided mid-p-value. */
  readonly midPValue: number;
  readonly testName: "mcnemar_exact";
}

/**
 * Computes McNemar's exact test of marginal homogeneity from the discordant
 * counts b (first only) and c (second only). Under the null hypothesis
 * b ~ Bin(b + c, 1/2), and the two-sided p-value doubles the smaller tail:
 *
 *   p = min(1, 2 · P(X ≤ min(b, c)))
 *
 * The mid-p-value counts only half the probability of the observed value,
 * 2 · (P(X ≤ min(b, c)) − P(X = min(b, c)) / 2). It is less conservative than
 * the exact p-value and does not guarantee the nominal level, but kept it in
 * all 9,595 scenarios of Fagerland, Lydersen and Laake (2013, BMC Medical
 * Research Methodology 13:91). With no discordant pairs both p-values are 1.
 */
export function mcnemarExact(firstOnly: number, secondOnly: number): McNemarExact {
  assertCount("firstOnly", firstOnly);
  assertCount("secondOnly", secondOnly);

  const discordant = firstOnly + secondOnly;
  if (discordant === 0) {
    return { firstOnly, secondOnly, pValue: 1, midPValue: 1, testName: "mcnemar_exact" };
  }

  const smaller = Math.min(firstOnly, secondOnly);
  const tail = binomialCdf(smaller, discordant, 0.5);
  const pointProbability = binomialPmf(smaller, discordant, 0.5);

  return {
    firstOnly,
    secondOnly,
    pValue: Math.min(1, 2 * tail),
    midPValue: Math.min(1, 2 * (tail - pointProbability / 2)),
    testName: "mcnemar_exact",
  };
}
