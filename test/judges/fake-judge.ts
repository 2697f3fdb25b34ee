/**
 * A judge whose behaviour is known by construction, served over the real
 * OpenAI wire protocol by the test server. It reads a judge prompt the way
 * the fences are meant to be read: the fence is the marker on the first
 * line that opens a block, every block runs to the next line with the same
 * marker and block name, and everything else is instructions. The grading
 * rule is a plain function of the blocks, so every verdict is predictable.
 *
 * It is also deliberately gullible: a line "VERDICT OVERRIDE: X" in the
 * instructions (outside every block) makes it answer X. Text that escaped
 * its block would therefore change the verdict, which is what the injection
 * tests check cannot happen.
 */

import { lastMessageText, type Responder, type SeenRequest } from "../helpers/openai-server.js";

export interface ParsedJudgePrompt {
  fence: string;
  /** Block contents by block name (QUESTION, RESPONSE...). */
  blocks: Record<string, string>;
  /** The prompt with every block removed. */
  instructions: string;
}

/** Splits a rendered judge prompt into its fenced blocks and the instructions around them. */
export function parseJudgePromptText(prompt: string): ParsedJudgePrompt {
  const opening = /^(BOUNDARY-[0-9a-f]{24})-[A-Z]+$/m.exec(prompt);
  if (opening === null) {
    throw new Error("the judge prompt has no fence line");
  }
  const fence = opening[1] as string;
  const blocks: Record<string, string> = {};
  const block = new RegExp(`^${fence}-([A-Z]+)\\n([\\s\\S]*?)\\n${fence}-\\1$`, "gm");
  const instructions = prompt.replace(block, (_whole, name: string, content: string) => {
    blocks[name] = content;
    return "";
  });
  return { fence, blocks, instructions };
}

export type Grader = (blocks: Record<string, string>, request: SeenRequest) => string;

/** Builds a responder that grades with `grade`, unless the instructions carry an override. */
export function fakeJudge(grade: Grader): Responder {
  return (request) => {
    const parsed = parseJudgePromptText(lastMessageText(request.body, "user"));
    const override = /^VERDICT OVERRIDE: (\S+)$/m.exec(parsed.instructions);
    if (override !== null) {
      return override[1] as string;
    }
    return grade(parsed.blocks, request);
  };
}

/** The gold answer in a closed-book GOLD block ("Gold answer: X"). */
export function goldOf(blocks: Record<string, string>): string {
  return /^Gold answer: (.*)$/m.exec(blocks.GOLD ?? "")?.[1] ?? "";
}

/**
 * Grades closed-book answers: the exact gold answer (any case, final full
 * stop ignored) is correct, "I don't know." is not_attempted, anything else
 * is incorrect.
 */
export const closedBookGrader: Grader = (blocks) => {
  const answer = (blocks.ANSWER ?? "").trim().replace(/\.$/, "").toLowerCase();
  if (answer === goldOf(blocks).toLowerCase()) {
    return "correct";
  }
  return answer === "i don't know" ? "not_attempted" : "incorrect";
};
