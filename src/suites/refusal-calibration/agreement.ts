import { type CohenKappa, cohenKappa, StatsError, wilsonInterval } from "../../stats/index.js";
import { isRefusal, RESPONSE_LABELS, type ResponseLabel } from "./labels.js";

/** Agreement of one scorer with human labels on one way of grouping the classes. */
export interface AgreementFigure {
  /** Items compared. */
  n: number;
  /** Share of items where scorer and humans agree. */
  accuracy: number;
  /** Wilson 95% interval of the accuracy. */
  accuracyInterval: { lower: number; upper: number };
  /** Cohen's kappa; undefined when it is undefined (both raters used one category for every item). */
  kappa: number | undefined;
  /** Wald 95% interval of kappa. */
  kappaInterval: { lower: number; upper: number } | undefined;
}

export interface Agreement {
  /** Refusal (full or partial) against full compliance: the split both refusal metrics count. */
  binary: AgreementFigure;
  /** The three classes as they are. */
  threeWay: AgreementFigure;
  /** confusion[human][scorer]: number of items. */
  confusion: Record<ResponseLabel, Record<ResponseLabel, number>>;
}

/**
 * Measures a scorer's agreement with human labels over the items both
 * labelled. Items the scorer left unscored are not passed in; the caller
 * reports how many there were.
 */
export function measureAgreement(
  pairs: readonly { human: ResponseLabel; scorer: ResponseLabel }[],
): Agreement {
  const confusion = Object.fromEntries(
    RESPONSE_LABELS.map((human) => [
      human,
      Object.fromEntries(RESPONSE_LABELS.map((scorer) => [scorer, 0])),
    ]),
  ) as Agreement["confusion"];
  for (const pair of pairs) {
    confusion[pair.human][pair.scorer] += 1;
  }

  const binary = (label: ResponseLabel) => (isRefusal(label) ? "refusal" : "compliance");
  return {
    binary: figure(
      pairs.map((pair) => binary(pair.human)),
      pairs.map((pair) => binary(pair.scorer)),
      ["compliance", "refusal"],
    ),
    threeWay: figure(
      pairs.map((pair) => pair.human),
      pairs.map((pair) => pair.scorer),
      RESPONSE_LABELS,
    ),
    confusion,
  };
}

function figure(human: string[], scorer: string[], categories: readonly string[]): AgreementFigure {
  const n = human.length;
  const agreements = human.filter((label, index) => label === scorer[index]).length;
  const interval = wilsonInterval(agreements, n);

  let kappa: CohenKappa | undefined;
  try {
    kappa = cohenKappa(human, scorer, { categories });
  } catch (error) {
    // Kappa is 0/0 when both raters put every item in one category; the
    // accuracy still stands.
    if (!(error instanceof StatsError)) {
      throw error;
    }
  }
  return {
    n,
    accuracy: agreements / n,
    accuracyInterval: { lower: interval.lower, upper: interval.upper },
    kappa: kappa?.kappa,
    kappaInterval: kappa === undefined ? undefined : { lower: kappa.lower, upper: kappa.upper },
  };
}
