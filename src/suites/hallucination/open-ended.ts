import type { Judge, JudgedOutcomeFields, UnscoredReason } from "../../judges/judge.js";
import {
  createSingleTurnJudgedSuite,
  judgementFields,
  loadJudge,
} from "../../judges/single-turn.js";
import type { JudgedSuite, Judgement } from "../../judges/suite.js";
import type { Provider } from "../../providers/types.js";
import { measureProportion } from "../common/proportion.js";
import type { MeasuredMetric } from "../types.js";
import { type ItemSet, judgePromptPaths, type OpenEndedItem } from "./items.js";

export const CLAIM_VERDICTS = ["unsupported_claim", "no_unsupported_claim"] as const;
export type ClaimVerdict = (typeof CLAIM_VERDICTS)[number];

/** Name and version of the claim-checking procedure; bump it when the prompt's rules change. */
export const OPEN_ENDED_SCORER_ID = "candor.unsupported-claim-judge@1";

export const OPEN_ENDED_FIELDS = ["REQUEST", "REFERENCE", "RESPONSE"] as const;

export const UNSUPPORTED_CLAIM_RATE = {
  metric: "hallucination.unsupported_claim_rate",
  version: 1,
} as const;

/** The judged outcome of one open-ended response: one line of the outcomes file. */
export interface OpenEndedOutcome extends JudgedOutcomeFields {
  id: string;
  category: string;
  /** True when the judge found at least one unsupported factual claim; null when unscored. */
  unsupported_claim: boolean | null;
  unscored_reason?: UnscoredReason;
  judge_answer?: string;
  judge_model?: string;
  response: string;
}

export type OpenEndedSuite = JudgedSuite<OpenEndedItem, OpenEndedOutcome, ClaimVerdict>;

/** Builds the unsupported-claim judge from the shipped prompt, or from `promptPath`. */
export function openEndedJudge(
  provider: Provider,
  promptPath: string = judgePromptPaths().openEnded,
): Judge<ClaimVerdict> {
  return loadJudge(provider, promptPath, OPEN_ENDED_FIELDS, CLAIM_VERDICTS, OPEN_ENDED_SCORER_ID);
}

/**
 * Builds the open-ended part of the hallucination suite. Each request is sent
 * alone in one user turn, and the judge checks the response against the
 * item's reference notes for at least one unsupported factual claim.
 */
export function createOpenEndedSuite(
  itemSet: ItemSet<OpenEndedItem>,
  judge: Judge<ClaimVerdict>,
): OpenEndedSuite {
  return createSingleTurnJudgedSuite({
    itemSet,
    judge,
    userTurn: (item) => item.prompt,
    judgeValues: (item, response) => ({
      REQUEST: item.prompt,
      REFERENCE: item.reference,
      RESPONSE: response,
    }),
    toOutcome: openEndedOutcome,
    aggregate: aggregateOpenEnded,
  });
}

function openEndedOutcome(
  item: OpenEndedItem,
  response: string,
  judgement: Judgement<ClaimVerdict>,
): OpenEndedOutcome {
  return {
    id: item.id,
    category: item.category,
    unsupported_claim:
      judgement.verdict === null ? null : judgement.verdict === "unsupported_claim",
    ...judgementFields(judgement),
    response,
  };
}

/** Computes hallucination.unsupported_claim_rate with a Wilson 95% interval and a breakdown by category. */
export function aggregateOpenEnded(outcomes: readonly OpenEndedOutcome[]): MeasuredMetric[] {
  const judged = outcomes.filter((outcome) => outcome.unsupported_claim !== null);
  const metric = measureProportion(
    UNSUPPORTED_CLAIM_RATE,
    judged,
    (outcome) => outcome.unsupported_claim === true,
    outcomes.length - judged.length,
    [{ dimension: "category", key: (outcome) => outcome.category }],
  );
  return metric === undefined ? [] : [metric];
}
