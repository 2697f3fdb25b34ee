import type { Message } from "../providers/types.js";
import type { Scorer } from "../spec/generated/report.js";
import type { PromptOptions, Suite, SuiteItem } from "../suites/types.js";
import { askJudge, type Judge, type JudgedOutcomeFields, type UnscoredReason } from "./judge.js";

/** The judge's reading of one response, or why there is none. */
export type Judgement<V extends string> =
  | { verdict: V; raw: string; model: string }
  | { verdict: null; reason: UnscoredReason; raw?: string; model?: string };

/** A metric the suite measured no value for although responses were scored, and why. */
export interface OmittedMetric {
  metric: string;
  metric_version: number;
  note: string;
}

/**
 * A suite scored by a model judge. Beyond the Suite interface it gives the
 * judge prompt's field values for one response and turns a judgement into
 * an outcome, so judging can run as its own engine pass over stored
 * responses (see pass.ts) as well as inline through `score`.
 */
export interface JudgedSuite<
  Item extends SuiteItem,
  Outcome extends JudgedOutcomeFields,
  V extends string,
> extends Suite<Item, Outcome> {
  readonly judge: Judge<V>;
  /** Values of the judge prompt's fields for one response; the response is untrusted text. */
  judgeValues(item: Item, response: string): Record<string, string>;
  /** The scored outcome of one response, one line of samples.jsonl. */
  toOutcome(item: Item, response: string, judgement: Judgement<V>): Outcome;
  /** The report's protocol.scorer for a set of outcomes. */
  describeScorer(outcomes: readonly Outcome[]): Scorer;
  /** Metrics `aggregate` left out even though responses were scored, each with the reason. */
  explainOmitted?(outcomes: readonly Outcome[]): OmittedMetric[];
}

/** Builds a single-turn conversation: the system prompt when one is set, then `text` as the user turn. */
export function singleTurnMessages(text: string, options: PromptOptions): Message[] {
  const system = options.systemPrompt ?? "";
  return [
    ...(system === "" ? [] : [{ role: "system" as const, content: system }]),
    { role: "user", content: text },
  ];
}

/** True for a response with nothing to grade; it is unscored without asking the judge. */
export function isEmptyResponse(response: string): boolean {
  return response.trim() === "";
}

/**
 * Scores one response by asking the judge once, for a suite's `score`.
 * Provider errors propagate so that an engine around the call retries them.
 */
export async function judgeOne<
  Item extends SuiteItem,
  Outcome extends JudgedOutcomeFields,
  V extends string,
>(
  suite: Pick<JudgedSuite<Item, Outcome, V>, "judge" | "judgeValues" | "toOutcome">,
  item: Item,
  response: string,
  signal?: AbortSignal,
): Promise<Outcome> {
  if (isEmptyResponse(response)) {
    return suite.toOutcome(item, response, { verdict: null, reason: "empty_response" });
  }
  const answer = await askJudge(suite.judge, suite.judgeValues(item, response), signal);
  return suite.toOutcome(item, response, toJudgement(answer));
}

/** Turns a judge's answer into a judgement: a null verdict is a parse failure. */
export function toJudgement<V extends string>(answer: {
  verdict: V | null;
  raw: string;
  model: string;
}): Judgement<V> {
  return answer.verdict === null
    ? { verdict: null, reason: "judge_unparseable", raw: answer.raw, model: answer.model }
    : { verdict: answer.verdict, raw: answer.raw, model: answer.model };
}
