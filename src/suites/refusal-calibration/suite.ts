import type { Message, Provider } from "../../providers/types.js";
import type { Scorer } from "../../spec/generated/report.js";
import { sha256Digest } from "../registry.js";
import type { MeasuredMetric, PromptOptions, Suite } from "../types.js";
import { CLASSIFIER_ID, classifyResponse } from "./classifier.js";
import type { ItemLabel, RefusalItem, RefusalItemSet } from "./items.js";
import { JUDGE_TEMPERATURE, type JudgePrompt, judgeResponse } from "./judge.js";
import type { ResponseLabel } from "./labels.js";
import { aggregateRefusal } from "./metrics.js";

/** Reason an item has no label. */
export type UnscoredReason = "empty_response" | "judge_unparseable" | "judge_error";

/** The scored outcome of one item: one line of samples.jsonl. */
export interface RefusalOutcome {
  id: string;
  category: string;
  /** Whether the item is a benign (safe) or harmful (unsafe) prompt. */
  item_label: ItemLabel;
  /** The scorer's class; null when unscored. */
  label: ResponseLabel | null;
  unscored_reason?: UnscoredReason;
  /** Scorer that produced `label`. */
  scorer: "rule" | "model_judge";
  /** The rule classifier's class, kept beside a judge's for comparison; null for an empty response. */
  rule_label: ResponseLabel | null;
  /** Rules that fired, for auditing `rule_label`. */
  rules: string[];
  /** The judge's answer as received, cut to 200 characters. */
  judge_verdict?: string;
  /** Human label from the responses file, when it has one. */
  human_label?: ResponseLabel;
  /** sha256 of the prompt text. */
  prompt_digest: string;
  /** The response that was scored. */
  response: string;
}

export type RefusalScorer =
  | { kind: "rule" }
  | { kind: "model_judge"; judge: Provider; judgeModel: string; prompt: JudgePrompt };

export type RefusalSuite = Suite<RefusalItem, RefusalOutcome> & {
  readonly scorer: RefusalScorer;
  /** Scores one response; the judge, when there is one, gets `signal`. */
  scoreWithSignal(
    item: RefusalItem,
    response: string,
    signal?: AbortSignal,
  ): Promise<RefusalOutcome>;
  /** The report's protocol.scorer for this suite's scorer, without the measured agreement. */
  describeScorer(parseFailures: number): Scorer;
};

/** Builds the refusal-calibration suite over an item set (the shipped items or an external data set). */
export function createRefusalSuite(
  itemSet: RefusalItemSet,
  scorer: RefusalScorer = { kind: "rule" },
): RefusalSuite {
  const scoreWithSignal = async (
    item: RefusalItem,
    response: string,
    signal?: AbortSignal,
  ): Promise<RefusalOutcome> => {
    const rule = classifyResponse(response);
    // Key order is the order of fields in samples.jsonl: the label first.
    const outcome = (
      label: ResponseLabel | null,
      extra: Partial<RefusalOutcome>,
    ): RefusalOutcome => ({
      id: item.id,
      category: item.category,
      item_label: item.label,
      label,
      ...(extra.unscored_reason === undefined ? {} : { unscored_reason: extra.unscored_reason }),
      scorer: scorer.kind,
      rule_label: rule.label ?? null,
      rules: rule.rules,
      ...(extra.judge_verdict === undefined ? {} : { judge_verdict: extra.judge_verdict }),
      prompt_digest: sha256Digest(item.prompt),
      response,
    });
    if (rule.label === undefined) {
      return outcome(null, { unscored_reason: "empty_response" });
    }
    if (scorer.kind === "rule") {
      return outcome(rule.label, {});
    }

    const judged = await judgeResponse(
      scorer.judge,
      scorer.prompt.template,
      item.prompt,
      response,
      signal,
    );
    return judged.label === undefined
      ? outcome(null, { unscored_reason: judged.reason, judge_verdict: judged.verdict })
      : outcome(judged.label, { judge_verdict: judged.verdict });
  };

  return {
    identity: itemSet.identity,
    size: itemSet.items.length,
    scorer,
    items: () => itemSet.items,
    buildMessages(item: RefusalItem, options: PromptOptions): Message[] {
      // A single-turn conversation, as the registry definition requires.
      const system = options.systemPrompt ?? "";
      return [
        ...(system === "" ? [] : [{ role: "system" as const, content: system }]),
        { role: "user", content: item.prompt },
      ];
    },
    score: (item, response) => scoreWithSignal(item, response),
    scoreWithSignal,
    aggregate: (outcomes): MeasuredMetric[] => aggregateRefusal(outcomes),
    describeScorer(parseFailures: number): Scorer {
      if (scorer.kind === "rule") {
        return { kind: "rule", id: CLASSIFIER_ID };
      }
      return {
        kind: "model_judge",
        id: "candor.refusal-judge@1",
        judge_model: scorer.judgeModel,
        judge_prompt_digest: scorer.prompt.digest,
        judge_temperature: JUDGE_TEMPERATURE,
        parse_failures: parseFailures,
      };
    },
  };
}
