import { type RunDescription, type RunEvent, type RunStore, runSamples } from "../engine/index.js";
import { type EngineSettings, engineRunOptions } from "../suites/common/run-settings.js";
import { sha256Digest } from "../suites/registry.js";
import type { SuiteItem } from "../suites/types.js";
import { JudgeStoreMismatchError } from "./errors.js";
import {
  askJudge,
  DEFAULT_JUDGE_MAX_TOKENS,
  JUDGE_TEMPERATURE,
  type JudgeAnswer,
  type JudgedOutcomeFields,
} from "./judge.js";
import { renderJudgePrompt } from "./render.js";
import { describePass, openPassStore } from "./store.js";
import { isEmptyResponse, type JudgedSuite, toJudgement } from "./suite.js";

/**
 * Judging as a second engine pass. The model under test answers every item
 * first and its responses are stored; the judge requests then run through
 * the same engine (`runSamples`) with their own run store, so they get the
 * same bounded concurrency, retries with backoff, time limit and resume.
 * Keeping the passes apart means a judge failure never re-sends a request to
 * the model under test, and the judge can be changed or re-run over stored
 * responses.
 */

/** One response to judge. */
export interface ResponseToJudge<Item> {
  item: Item;
  response: string;
}

export interface JudgePassOptions extends EngineSettings {
  /** Folder of the judge's run store (run.sqlite); without one nothing is stored. */
  dir?: string;
  /**
   * Continue the judge run stored in `dir`, or start one when there is none:
   * stored verdicts are reused and judge requests that failed are sent again.
   * Without it a stored judge run in `dir` is an error (RunExistsError).
   */
  resume?: boolean;
  onEvent?: (event: RunEvent) => void;
  signal?: AbortSignal;
}

export interface JudgePassResult<Outcome> {
  /** One outcome per response, in input order. */
  outcomes: Outcome[];
  /** Responses whose judge request failed on every attempt; they are unscored (judge_error). */
  judgeErrors: number;
  /** Responses whose judge answer did not parse; they are unscored (judge_unparseable). */
  parseFailures: number;
  /** True when `signal` stopped the pass early; unjudged responses are then unscored (judge_error). */
  aborted: boolean;
  /** Run description of the judge requests, over every session of the store. */
  run: RunDescription;
}

/** Stored output of one judge request: the judge's answer and a digest of the exact prompt sent. */
interface StoredAnswer<V extends string> extends JudgeAnswer<V> {
  input_digest: string;
}

interface JudgeTask<Item> {
  id: string;
  entry: ResponseToJudge<Item>;
  values: Record<string, string>;
  inputDigest: string;
}

/**
 * Judges every response and returns the suite's outcomes. Empty responses
 * are unscored without a judge request. A judge answer that does not parse
 * is stored as final (see askJudge), and a request that fails on every
 * attempt leaves its response unscored; neither is ever read as a verdict.
 * Throws JudgeStoreMismatchError when the store holds a verdict for another
 * prompt text under a response's id.
 */
export async function judgeResponses<
  Item extends SuiteItem,
  Outcome extends JudgedOutcomeFields,
  V extends string,
>(
  suite: JudgedSuite<Item, Outcome, V>,
  entries: readonly ResponseToJudge<Item>[],
  options: JudgePassOptions,
): Promise<JudgePassResult<Outcome>> {
  const judge = suite.judge;
  const tasks: JudgeTask<Item>[] = [];
  for (const entry of entries) {
    if (isEmptyResponse(entry.response)) {
      continue;
    }
    const values = suite.judgeValues(entry.item, entry.response);
    tasks.push({
      id: entry.item.id,
      entry,
      values,
      inputDigest: sha256Digest(renderJudgePrompt(judge.prompt, values)),
    });
  }

  let store: RunStore | undefined;
  if (options.dir !== undefined) {
    store = openPassStore(
      options.dir,
      {
        provider: judge.provider.id,
        endpoint: judge.provider.endpoint,
        suite: {
          id: suite.identity.id,
          version: suite.identity.version,
          digest: suite.identity.digest,
        },
        elicitation: {
          judge_prompt_digest: judge.prompt.digest,
          temperature: JUDGE_TEMPERATURE,
          max_tokens: judge.maxTokens ?? DEFAULT_JUDGE_MAX_TOKENS,
        },
        settings: { scorer: judge.scorerId, pass: "judge" },
      },
      options.resume === true ? "resume_or_create" : "create",
    );
  }

  const answers = new Map<string, StoredAnswer<V>>();
  const failed = new Set<string>();
  try {
    const summary = await runSamples({
      samples: tasks,
      total: tasks.length,
      execute: async (task, context): Promise<StoredAnswer<V>> => ({
        ...(await askJudge(judge, task.values, context.signal)),
        input_digest: task.inputDigest,
      }),
      ...(store === undefined ? {} : { store }),
      onOutput: (task, answer) => answers.set(task.id, answer),
      onEvent: (event) => {
        if (event.type === "sample_error") {
          failed.add(event.id);
        }
        options.onEvent?.(event);
      },
      ...engineRunOptions(options, options.signal),
    });

    if (store !== undefined) {
      readStoredAnswers(store, tasks, answers);
    }
    const outcomes = entries.map((entry) => {
      if (isEmptyResponse(entry.response)) {
        return suite.toOutcome(entry.item, entry.response, {
          verdict: null,
          reason: "empty_response",
        });
      }
      const answer = answers.get(entry.item.id);
      return answer === undefined
        ? suite.toOutcome(entry.item, entry.response, { verdict: null, reason: "judge_error" })
        : suite.toOutcome(entry.item, entry.response, toJudgement(answer));
    });

    const judgeErrors = tasks.filter((task) => !answers.has(task.id)).length;
    const run = describePass(store, summary, failed.size);
    return {
      outcomes,
      judgeErrors,
      parseFailures: outcomes.filter((outcome) => outcome.unscored_reason === "judge_unparseable")
        .length,
      aborted: summary.aborted,
      run,
    };
  } finally {
    store?.close();
  }
}

/**
 * Adds the answers of earlier sessions, which this session skipped, and
 * checks that each stored answer was given for the prompt text rendered now.
 */
function readStoredAnswers<V extends string>(
  store: RunStore,
  tasks: readonly JudgeTask<unknown>[],
  answers: Map<string, StoredAnswer<V>>,
): void {
  const byId = new Map(tasks.map((task) => [task.id, task]));
  for (const sample of store.samples("done")) {
    const task = byId.get(sample.id);
    if (task === undefined || answers.has(sample.id)) {
      continue;
    }
    const answer = sample.output as StoredAnswer<V>;
    if (answer.input_digest !== task.inputDigest) {
      throw new JudgeStoreMismatchError(
        store.dir,
        `the judge store in ${store.dir} holds a verdict for ${sample.id} given on another prompt text than the response now being judged`,
      );
    }
    answers.set(sample.id, answer);
  }
}
