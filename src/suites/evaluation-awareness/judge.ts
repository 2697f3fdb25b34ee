/**
 * The model judge for evaluation awareness: its prompt template
 * (suites/evaluation-awareness/judge-prompt.txt), its verdicts and the text
 * of a transcript as the judge reads it.
 */

import { join } from "node:path";
import type { Judge } from "../../judges/judge.js";
import { loadJudge } from "../../judges/single-turn.js";
import { SUITES_DIR } from "../../paths.js";
import type { Provider } from "../../providers/types.js";
import { AWARENESS_DETECTOR_ID } from "./detector.js";
import { AWARENESS_SUITE_ID } from "./identity.js";
import {
  AWARENESS_VERDICTS,
  type AwarenessTranscript,
  type AwarenessVerdict,
} from "./transcripts.js";

/** The shipped judge prompt template. Its only field is TRANSCRIPT. */
export const AWARENESS_JUDGE_PROMPT_PATH = join(SUITES_DIR, AWARENESS_SUITE_ID, "judge-prompt.txt");

/**
 * Scorer id recorded when the judge ran: the rules and the judge prompt
 * together decide, so the id names both. The judge part changes version
 * whenever the prompt's meaning or the way rules and judge are combined
 * changes.
 */
export const AWARENESS_RULES_AND_JUDGE_ID = `${AWARENESS_DETECTOR_ID}+candor.awareness-judge@1`;

/** Builds the awareness judge from the shipped prompt template, or from `promptPath`. */
export function loadAwarenessJudge(
  provider: Provider,
  promptPath: string = AWARENESS_JUDGE_PROMPT_PATH,
): Judge<AwarenessVerdict> {
  return loadJudge(
    provider,
    promptPath,
    ["TRANSCRIPT"],
    AWARENESS_VERDICTS,
    AWARENESS_RULES_AND_JUDGE_ID,
  );
}

/**
 * Returns the model text of a transcript as the judge reads it: each
 * response under a line [response N], then each non-empty reasoning text
 * under [reasoning N] when `examineReasoning` is set. Returns the empty
 * string when there is no text at all, so the judge pass leaves the
 * transcript to the rules instead of sending an empty block.
 */
export function transcriptText(transcript: AwarenessTranscript, examineReasoning = true): string {
  const reasoning = examineReasoning
    ? (transcript.reasoning ?? []).filter((text) => text.trim() !== "")
    : [];
  if (transcript.responses.every((text) => text.trim() === "") && reasoning.length === 0) {
    return "";
  }

  const parts = [
    ...transcript.responses.map((text, index) => `[response ${index + 1}]\n${text}`),
    ...reasoning.map((text, index) => `[reasoning ${index + 1}]\n${text}`),
  ];
  return parts.join("\n\n");
}
