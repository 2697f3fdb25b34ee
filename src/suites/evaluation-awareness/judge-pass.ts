/**
 * The awareness judge as a second engine pass over transcripts that are
 * already stored. The judge requests go through the run engine (bounded
 * concurrency, retries, time limit) with their own run store, so an
 * interrupted pass resumes without asking the judge again about a
 * transcript it has answered, and nothing is sent to the model under test.
 */

import type { RunDescription } from "../../engine/index.js";
import type { Judge } from "../../judges/judge.js";
import { describeJudgeScorer } from "../../judges/judge.js";
import { type JudgePassOptions, judgeResponses } from "../../judges/pass.js";
import { judgementFields } from "../../judges/single-turn.js";
import { type JudgedSuite, type Judgement, judgeOne } from "../../judges/suite.js";
import type { SuiteItem } from "../types.js";
import { awarenessIdentity } from "./identity.js";
import { transcriptText } from "./judge.js";
import {
  type AwarenessJudgement,
  type AwarenessOutcome,
  type AwarenessTranscript,
  type AwarenessVerdict,
  measureVerbalizedAwareness,
  scoreAwareness,
} from "./transcripts.js";

export interface AwarenessJudgePassOptions extends JudgePassOptions {
  /** Show the judge reasoning text too (the default), as the rules examine it. */
  examineReasoning?: boolean;
}

export interface AwarenessJudgePassResult {
  /** The input transcripts in input order, each with the judge's reading attached as `judgement`. */
  transcripts: AwarenessTranscript[];
  /** Transcripts whose judge request failed on every attempt, or were not judged because the pass was aborted. */
  judgeErrors: number;
  /** Transcripts whose judge answer did not parse. */
  parseFailures: number;
  /** True when the signal stopped the pass; the judgements are then incomplete. */
  aborted: boolean;
  /** Run description of the judge requests, over every session of the store. */
  run: RunDescription;
}

interface TranscriptItem extends SuiteItem {
  readonly transcript: AwarenessTranscript;
}

/** A combined outcome and the judgement it was made from. */
type JudgedAwarenessOutcome = AwarenessOutcome & { readonly judgement: AwarenessJudgement };

/**
 * Asks the judge about every transcript and returns the transcripts with
 * the judge's reading attached. Transcripts with no text are not sent (their
 * judgement is unscored_reason empty_response). With `options.dir`, the
 * judge's run store is kept there and `options.resume` continues it. Throws
 * TypeError when two transcripts share an id, because the run store keys
 * each judge request by transcript id.
 */
export async function judgeTranscripts(
  transcripts: readonly AwarenessTranscript[],
  judge: Judge<AwarenessVerdict>,
  options: AwarenessJudgePassOptions,
): Promise<AwarenessJudgePassResult> {
  const examineReasoning = options.examineReasoning ?? true;
  const items: TranscriptItem[] = transcripts.map((transcript) => ({
    id: transcript.id,
    category: transcript.suite,
    transcript,
  }));
  const ids = new Set(items.map((item) => item.id));
  if (ids.size !== items.length) {
    throw new TypeError("awareness transcripts must have unique ids to be judged");
  }

  const suite = transcriptJudgeSuite(items, judge, examineReasoning);
  const judged = await judgeResponses(
    suite,
    items.map((item) => ({ item, response: transcriptText(item.transcript, examineReasoning) })),
    options,
  );
  return {
    transcripts: judged.outcomes.map((outcome, index) => ({
      ...(transcripts[index] as AwarenessTranscript),
      judgement: outcome.judgement,
    })),
    judgeErrors: judged.judgeErrors,
    parseFailures: judged.parseFailures,
    aborted: judged.aborted,
    run: judged.run,
  };
}

/**
 * Wraps the transcripts as a judged suite, the shape the shared judge pass
 * takes. Each item is one transcript and its "response" is the transcript's
 * model text; the outcome combines the judge's verdict with the rules.
 */
function transcriptJudgeSuite(
  items: readonly TranscriptItem[],
  judge: Judge<AwarenessVerdict>,
  examineReasoning: boolean,
): JudgedSuite<TranscriptItem, JudgedAwarenessOutcome, AwarenessVerdict> {
  const toOutcome = (
    item: TranscriptItem,
    _text: string,
    judgement: Judgement<AwarenessVerdict>,
  ): JudgedAwarenessOutcome => {
    const attached: AwarenessJudgement = {
      verdict: judgement.verdict,
      ...judgementFields(judgement),
      judge_provider: judge.provider.id,
      judge_prompt_digest: judge.prompt.digest,
    };
    const outcome = scoreAwareness(
      { ...item.transcript, judgement: attached },
      { examineReasoning },
    );
    return { ...outcome, judgement: attached };
  };

  const suite: JudgedSuite<TranscriptItem, JudgedAwarenessOutcome, AwarenessVerdict> = {
    identity: awarenessIdentity([]),
    size: items.length,
    judge,
    items: () => items,
    buildMessages: () => {
      // The transcripts are already stored, so this pass never sends anything to the model under test.
      throw new Error("awareness judging reads stored transcripts; it has no model pass");
    },
    judgeValues: (_item, text) => ({ TRANSCRIPT: text }),
    toOutcome,
    score: (item, text) => judgeOne(suite, item, text),
    aggregate: (outcomes) => {
      const metric = measureVerbalizedAwareness(outcomes);
      return metric === undefined ? [] : [metric];
    },
    describeScorer: (outcomes) => describeJudgeScorer(judge, outcomes),
  };
  return suite;
}
