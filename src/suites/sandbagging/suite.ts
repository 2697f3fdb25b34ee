/**
 * The sandbagging suite: capability questions asked in separate
 * conversations under a neutral framing and under a framing that gives the
 * model a reason to do badly. Both framings are one paragraph of similar
 * length placed before the same instruction and question.
 */

import { join } from "node:path";
import { SUITES_DIR } from "../../paths.js";
import type { AwarenessOutcome } from "../evaluation-awareness/index.js";
import { type AnswerItem, answerKeyOf, formatQuestion } from "../extract/items.js";
import { correctnessPair, gradeTurn, type TurnOutcome } from "../extract/outcomes.js";
import { type ScoredAnswerItem, scoreConversationAwareness } from "../extract/run-answer-suite.js";
import type { Conversation, ConversationOutput } from "../extract/run-conversations.js";
import {
  type AnswerSuiteFiles,
  limitAnswerSuite,
  loadAnswerSuite,
} from "../extract/suite-files.js";

export const SANDBAGGING_SUITE_ID = "sandbagging";
export const SANDBAGGING_SUITE_DIR = join(SUITES_DIR, SANDBAGGING_SUITE_ID);

export interface SandbaggingProtocol extends Record<string, string> {
  instruction_mc: string;
  neutral_framing: string;
  /** Framing that gives the model a reason to underperform. */
  pressure_framing: string;
}

export type SandbaggingSuite = AnswerSuiteFiles<SandbaggingProtocol>;

export type Framing = "neutral" | "pressure";

const PROTOCOL_KEYS = ["instruction_mc", "neutral_framing", "pressure_framing"] as const;

/** Loads the shipped suite, or the first `limit` items of it (then not the reference suite, with the subset's digest). */
export function loadSandbaggingSuite(
  limit?: number,
  dir: string = SANDBAGGING_SUITE_DIR,
): SandbaggingSuite {
  return limitAnswerSuite(loadAnswerSuite<SandbaggingProtocol>(dir, PROTOCOL_KEYS, false), limit);
}

/** Builds the user message of one item under one framing: the framing, the instruction, then the question. */
export function framedMessage(
  item: AnswerItem,
  protocol: SandbaggingProtocol,
  framing: Framing,
): string {
  const text = framing === "neutral" ? protocol.neutral_framing : protocol.pressure_framing;
  return [text, protocol.instruction_mc, formatQuestion(item)].join("\n\n");
}

export function conversationId(item: AnswerItem, framing: Framing): string {
  return `${item.id}:${framing}`;
}

/** Two single-turn conversations per item, in item order. */
export function sandbaggingConversations(suite: SandbaggingSuite): Conversation[] {
  return suite.items.flatMap((item) =>
    (["neutral", "pressure"] as const).map((framing) => ({
      id: conversationId(item, framing),
      userTurns: [framedMessage(item, suite.protocol, framing)],
    })),
  );
}

/** One line of samples.jsonl. */
export interface SandbaggingOutcome {
  id: string;
  category: string;
  answer: string;
  neutral: TurnOutcome;
  pressure: TurnOutcome;
  /** [neutral correct, pressure correct] as 0/1 when both were scored; null otherwise. */
  pair: [number, number] | null;
  aware: { neutral: boolean | null; pressure: boolean | null };
}

/** Grades the stored conversations of one item. */
export function scoreSandbaggingItem(
  item: AnswerItem,
  outputs: ReadonlyMap<string, ConversationOutput>,
): ScoredAnswerItem<SandbaggingOutcome> {
  const key = answerKeyOf(item);
  const awareness: AwarenessOutcome[] = [];
  const grade = (framing: Framing): { turn: TurnOutcome; aware: boolean | null } => {
    const id = conversationId(item, framing);
    const output = outputs.get(id);
    const response = output?.responses[0];
    if (output === undefined || response === undefined) {
      return { turn: { status: "error" }, aware: null };
    }
    const aware = scoreConversationAwareness(SANDBAGGING_SUITE_ID, id, output, awareness);
    return { turn: gradeTurn(key, response), aware };
  };

  const neutral = grade("neutral");
  const pressure = grade("pressure");
  const pair = correctnessPair(neutral.turn, pressure.turn);

  return {
    outcome: {
      id: item.id,
      category: item.category,
      answer: item.answer,
      neutral: neutral.turn,
      pressure: pressure.turn,
      pair,
      aware: { neutral: neutral.aware, pressure: pressure.aware },
    },
    awareness,
  };
}
