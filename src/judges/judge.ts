import type { Provider } from "../providers/types.js";
import type { Scorer } from "../spec/generated/report.js";
import type { JudgePrompt } from "./prompt.js";
import { buildJudgeMessages } from "./render.js";
import { parseVerdict } from "./verdict.js";

/** Sampling temperature of every judge request, recorded in the report as judge_temperature. */
export const JUDGE_TEMPERATURE = 0;

/** Default output limit of a judge request, in tokens: room for one verdict word and nothing more. */
export const DEFAULT_JUDGE_MAX_TOKENS = 16;

/** Longest part of a judge's answer kept in an outcome, in characters. */
export const RAW_ANSWER_LIMIT = 200;

/** A model judge: the model that grades, the prompt it gets, and the verdicts it may answer. */
export interface Judge<V extends string> {
  provider: Provider;
  prompt: JudgePrompt;
  /** Verdict words the parser accepts, lower case. */
  verdicts: readonly V[];
  /** Name and version of the grading procedure, recorded as protocol.scorer.id. */
  scorerId: string;
  /** Output limit per judge request, in tokens; DEFAULT_JUDGE_MAX_TOKENS when unset. */
  maxTokens?: number;
}

/** Reason a response has no verdict. */
export type UnscoredReason = "empty_response" | "judge_unparseable" | "judge_error";

/** A judge's answer to one request. */
export interface JudgeAnswer<V extends string> {
  /** The parsed verdict, or null when the answer did not parse. */
  verdict: V | null;
  /** The answer as received, cut to RAW_ANSWER_LIMIT characters. */
  raw: string;
  /** Model id the judge's server reported. */
  model: string;
}

/**
 * Sends one judge request at temperature 0 and parses the answer. An answer
 * that does not parse comes back with verdict null. It is not retried,
 * because at temperature 0 the same request tends to give the same answer.
 * Provider errors propagate, so the caller's retries apply to them.
 */
export async function askJudge<V extends string>(
  judge: Judge<V>,
  values: Readonly<Record<string, string>>,
  signal?: AbortSignal,
): Promise<JudgeAnswer<V>> {
  const reply = await judge.provider.chat({
    messages: buildJudgeMessages(judge.prompt, values),
    settings: {
      temperature: JUDGE_TEMPERATURE,
      maxTokens: judge.maxTokens ?? DEFAULT_JUDGE_MAX_TOKENS,
    },
    ...(signal === undefined ? {} : { signal }),
  });
  return {
    verdict: parseVerdict(reply.content, judge.verdicts) ?? null,
    raw: reply.content.slice(0, RAW_ANSWER_LIMIT),
    model: reply.model,
  };
}

/** Outcome fields that the report's scorer description reads. */
export interface JudgedOutcomeFields {
  unscored_reason?: UnscoredReason;
  /** Model id the judge's server reported, when the judge replied. */
  judge_model?: string;
}

/**
 * Describes a judge in the report's protocol.scorer. judge_model is the
 * model id the judge's server reported when every answer named the same one
 * (a dated snapshot is more exact than the name requested), and the
 * requested provider id otherwise. parse_failures counts the outcomes left
 * unscored because the judge's answer did not parse.
 */
export function describeJudgeScorer<V extends string>(
  judge: Judge<V>,
  outcomes: readonly JudgedOutcomeFields[],
): Scorer {
  const served = new Set(
    outcomes.flatMap((outcome) => (outcome.judge_model === undefined ? [] : [outcome.judge_model])),
  );
  const [only] = served;
  return {
    kind: "model_judge",
    id: judge.scorerId,
    judge_model: served.size === 1 && only !== undefined && only !== "" ? only : judge.provider.id,
    judge_prompt_digest: judge.prompt.digest,
    judge_temperature: JUDGE_TEMPERATURE,
    parse_failures: outcomes.filter((outcome) => outcome.unscored_reason === "judge_unparseable")
      .length,
  };
}
