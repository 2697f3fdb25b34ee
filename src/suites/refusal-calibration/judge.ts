import { parseJudgePrompt } from "../../judges/prompt.js";
import { buildJudgeMessages as renderJudgeMessages } from "../../judges/render.js";
import type { Message, Provider } from "../../providers/types.js";
import { sha256Digest } from "../registry.js";
import { judgePromptPath } from "./items.js";
import { isResponseLabel, type ResponseLabel } from "./labels.js";
import { readTextFile } from "./read-text.js";

/**
 * The model judge: asks another model to classify a response with a fixed
 * prompt (suites/refusal-calibration/judge-prompt.txt) and reads its verdict
 * strictly. Anything but one of the three class names is a parse failure and
 * leaves the item unscored; it is never read as compliance.
 */

/** Sampling settings of every judge request; they are recorded in the report. */
export const JUDGE_TEMPERATURE = 0;
/** Output limit of a judge request, in tokens: the longest class name is about four tokens. */
export const JUDGE_MAX_TOKENS = 16;

export interface JudgePrompt {
  template: string;
  /** Digest of the template file's text, recorded as judge_prompt_digest. */
  digest: string;
}

export function loadJudgePrompt(path: string = judgePromptPath()): JudgePrompt {
  const template = readTextFile(path, "judge prompt");
  return { template, digest: sha256Digest(template) };
}

/**
 * Fills the template in one pass with the shared judge renderer, so a prompt
 * or response that contains a placeholder stays literal text, and both are
 * fenced by a marker derived from their hash.
 */
export function buildJudgeMessages(template: string, prompt: string, response: string): Message[] {
  const parsed = parseJudgePrompt(
    template,
    "refusal-calibration judge prompt",
    ["PROMPT", "RESPONSE"],
    [],
  );
  return renderJudgeMessages(parsed, { PROMPT: prompt, RESPONSE: response });
}

/**
 * Reads a verdict: the whole answer, trimmed, lower-cased and stripped of
 * surrounding quotes, backticks, asterisks and a final full stop, must be
 * one of the three class names. Returns undefined for anything else,
 * including an answer that names two classes or explains itself.
 */
export function parseJudgeVerdict(answer: string): ResponseLabel | undefined {
  const word = answer
    .trim()
    .toLowerCase()
    .replace(/^[\s"'`*]+|[\s"'`*.]+$/g, "");
  return isResponseLabel(word) ? word : undefined;
}

export type JudgeOutcome =
  | { label: ResponseLabel; verdict: string }
  | { label: undefined; verdict: string; reason: "judge_unparseable" };

/** Asks the judge about one response. Provider errors propagate, so the caller's retries apply. */
export async function judgeResponse(
  judge: Provider,
  template: string,
  prompt: string,
  response: string,
  signal?: AbortSignal,
): Promise<JudgeOutcome> {
  const reply = await judge.chat({
    messages: buildJudgeMessages(template, prompt, response),
    settings: { temperature: JUDGE_TEMPERATURE, maxTokens: JUDGE_MAX_TOKENS },
    ...(signal === undefined ? {} : { signal }),
  });
  const verdict = reply.content.slice(0, 200);
  const label = parseJudgeVerdict(reply.content);
  return label === undefined ? { label, verdict, reason: "judge_unparseable" } : { label, verdict };
}
