/**
 * Building blocks of a judged suite that sends each item alone in one user
 * turn and has a model judge grade the response against fields of the item.
 */

import type { Provider } from "../providers/types.js";
import type { MeasuredMetric, SuiteIdentity, SuiteItem } from "../suites/types.js";
import type { Judge, JudgedOutcomeFields, UnscoredReason } from "./judge.js";
import { describeJudgeScorer } from "./judge.js";
import { loadJudgePrompt } from "./prompt.js";
import {
  type JudgedSuite,
  type Judgement,
  judgeOne,
  type OmittedMetric,
  singleTurnMessages,
} from "./suite.js";

/**
 * Builds a judge from the prompt template at `promptPath`, which must use
 * each of `fields` once and name every verdict (see loadJudgePrompt).
 */
export function loadJudge<V extends string>(
  provider: Provider,
  promptPath: string,
  fields: readonly string[],
  verdicts: readonly V[],
  scorerId: string,
): Judge<V> {
  return {
    provider,
    prompt: loadJudgePrompt(promptPath, fields, verdicts),
    verdicts,
    scorerId,
  };
}

/** The judge's side of an outcome, in the order samples.jsonl lists it. */
export interface JudgementFields {
  unscored_reason?: UnscoredReason;
  /** The judge's answer as received, cut to RAW_ANSWER_LIMIT characters. */
  judge_answer?: string;
  judge_model?: string;
}

/** Returns the fields a judgement adds to an outcome: why it is unscored, the judge's answer and model. */
export function judgementFields<V extends string>(judgement: Judgement<V>): JudgementFields {
  // A null verdict is the unscored variant, but TypeScript does not narrow a union on a generic member.
  const unscored =
    judgement.verdict === null ? (judgement as { reason: UnscoredReason }) : undefined;
  return {
    ...(unscored === undefined ? {} : { unscored_reason: unscored.reason }),
    ...(judgement.raw === undefined ? {} : { judge_answer: judgement.raw }),
    ...(judgement.model === undefined ? {} : { judge_model: judgement.model }),
  };
}

/** The parts a single-turn judged suite defines; createSingleTurnJudgedSuite supplies the rest of JudgedSuite. */
export interface SingleTurnJudgedSuiteParts<
  Item extends SuiteItem,
  Outcome extends JudgedOutcomeFields,
  V extends string,
> {
  itemSet: { identity: SuiteIdentity; items: readonly Item[] };
  judge: Judge<V>;
  /** The text of the item's single user turn. */
  userTurn(item: Item): string;
  judgeValues(item: Item, response: string): Record<string, string>;
  toOutcome(item: Item, response: string, judgement: Judgement<V>): Outcome;
  aggregate(outcomes: readonly Outcome[]): MeasuredMetric[];
  explainOmitted?(outcomes: readonly Outcome[]): OmittedMetric[];
}

/**
 * Builds a judged suite that sends each item alone in one user turn (after
 * the run's system prompt, when one is set, and with no tools), scores a
 * response with one judge request, and describes its judge as the scorer.
 */
export function createSingleTurnJudgedSuite<
  Item extends SuiteItem,
  Outcome extends JudgedOutcomeFields,
  V extends string,
>(parts: SingleTurnJudgedSuiteParts<Item, Outcome, V>): JudgedSuite<Item, Outcome, V> {
  const { itemSet, judge } = parts;
  const suite: JudgedSuite<Item, Outcome, V> = {
    identity: itemSet.identity,
    size: itemSet.items.length,
    judge,
    items: () => itemSet.items,
    buildMessages: (item, options) => singleTurnMessages(parts.userTurn(item), options),
    judgeValues: (item, response) => parts.judgeValues(item, response),
    toOutcome: (item, response, judgement) => parts.toOutcome(item, response, judgement),
    score: (item, response) => judgeOne(suite, item, response),
    aggregate: (outcomes) => parts.aggregate(outcomes),
    describeScorer: (outcomes) => describeJudgeScorer(judge, outcomes),
  };
  const { explainOmitted } = parts;
  if (explainOmitted !== undefined) {
    suite.explainOmitted = (outcomes) => explainOmitted(outcomes);
  }
  return suite;
}
