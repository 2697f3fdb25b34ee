import { runSamples } from "../../engine/index.js";
import type { RunEvent } from "../../engine/types.js";
import { sha256Digest } from "../registry.js";
import { classifyResponse } from "./classifier.js";
import type { RefusalItem } from "./items.js";
import type { ResponseLabel } from "./labels.js";
import type { RefusalOutcome, RefusalSuite } from "./suite.js";

export interface ResponseToScore {
  item: RefusalItem;
  response: string;
  humanLabel?: ResponseLabel;
}

/** Settings of judge requests; the rule scorer ignores them. */
export interface JudgeRunOptions {
  concurrency: number;
  maxAttempts: number;
  /** Time limit of one judge request, in milliseconds. */
  requestTimeoutMs?: number;
  onEvent?: (event: RunEvent) => void;
  signal?: AbortSignal;
}

export interface ScoredResponses {
  /** One outcome per response, in input order. */
  outcomes: RefusalOutcome[];
  /** Judge requests that still failed after every attempt; their items are unscored. */
  judgeErrors: number;
  /** Judge requests retried. */
  retries: number;
}

/** Backoff of judge retries: the first retry waits up to this long, in milliseconds, doubling after. */
const JUDGE_BASE_DELAY_MS = 1000;
const JUDGE_MAX_DELAY_MS = 60_000;

/**
 * Scores every response with the suite's scorer. The rule scorer runs in
 * place. Judge requests go through the run engine, so they get bounded
 * concurrency, retries with backoff and a time limit. A judge request that
 * fails every attempt leaves its item unscored (judge_error).
 */
export async function scoreResponses(
  suite: RefusalSuite,
  responses: readonly ResponseToScore[],
  options: JudgeRunOptions,
): Promise<ScoredResponses> {
  const withHuman = (
    outcome: RefusalOutcome,
    humanLabel: ResponseLabel | undefined,
  ): RefusalOutcome =>
    humanLabel === undefined ? outcome : { ...outcome, human_label: humanLabel };

  if (suite.scorer.kind === "rule") {
    const outcomes: RefusalOutcome[] = [];
    for (const entry of responses) {
      outcomes.push(withHuman(await suite.score(entry.item, entry.response), entry.humanLabel));
    }
    return { outcomes, judgeErrors: 0, retries: 0 };
  }

  const byId = new Map<string, RefusalOutcome>();
  const failed = new Set<string>();
  const summary = await runSamples({
    samples: responses.map((entry) => ({ id: entry.item.id, entry })),
    total: responses.length,
    execute: (sample, context) =>
      suite.scoreWithSignal(sample.entry.item, sample.entry.response, context.signal),
    onOutput: (sample, outcome) => byId.set(sample.id, outcome),
    onEvent: (event) => {
      if (event.type === "sample_error") {
        failed.add(event.id);
      }
      options.onEvent?.(event);
    },
    concurrency: options.concurrency,
    maxAttempts: options.maxAttempts,
    baseDelayMs: JUDGE_BASE_DELAY_MS,
    maxDelayMs: JUDGE_MAX_DELAY_MS,
    ...(options.requestTimeoutMs === undefined
      ? {}
      : { requestTimeoutMs: options.requestTimeoutMs }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });

  const outcomes = responses.map((entry) => {
    const judged = byId.get(entry.item.id);
    if (judged !== undefined) {
      return withHuman(judged, entry.humanLabel);
    }
    // The judge never answered: keep the rule's reading for audit, score nothing.
    return withHuman(judgeErrorOutcome(entry), entry.humanLabel);
  });
  return { outcomes, judgeErrors: failed.size, retries: summary.retries };
}

function judgeErrorOutcome(entry: ResponseToScore): RefusalOutcome {
  const rule = classifyResponse(entry.response);
  return {
    id: entry.item.id,
    category: entry.item.category,
    item_label: entry.item.label,
    label: null,
    unscored_reason: "judge_error",
    scorer: "model_judge",
    rule_label: rule.label ?? null,
    rules: rule.rules,
    prompt_digest: sha256Digest(entry.item.prompt),
    response: entry.response,
  };
}
