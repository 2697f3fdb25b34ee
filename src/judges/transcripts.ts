import type { AwarenessTranscript } from "../suites/evaluation-awareness/transcripts.js";
import type { ModelResponse } from "./model-pass.js";

/**
 * Turns the stored single-turn responses of one suite into transcripts for
 * evaluation awareness, with ids SUITE:ITEM so they stay unique beside
 * other suites' transcripts.
 */
export function transcriptsOf(
  suite: string,
  responses: ReadonlyMap<string, ModelResponse>,
): AwarenessTranscript[] {
  return [...responses].map(([id, stored]) => ({
    id: `${suite}:${id}`,
    suite,
    responses: [stored.response],
    ...(stored.reasoning === undefined ? {} : { reasoning: [stored.reasoning] }),
  }));
}
