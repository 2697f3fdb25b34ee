import { createHash } from "node:crypto";
import type { Message } from "../providers/types.js";
import { FENCE_PLACEHOLDER, type JudgePrompt } from "./prompt.js";

/**
 * Derives the fence marker for one judge request from a SHA-256 over every
 * field value. The marker depends on the text it fences, so a response
 * could only contain its own closing marker by containing 96 bits of its
 * own hash, which cannot be arranged in practice. A response therefore
 * cannot end its block early and address the judge as instructions. The
 * same values give the same marker, which keeps judge requests reproducible.
 */
export function deriveFence(values: readonly string[]): string {
  const hash = createHash("sha256");
  for (const value of values) {
    hash.update(value, "utf8");
    hash.update("\u0000");
  }
  return `BOUNDARY-${hash.digest("hex").slice(0, 24)}`;
}

/**
 * Fills the template in one pass over it: each `{{NAME}}` is replaced by its
 * field value or the fence, and the inserted values are never scanned again,
 * so a response containing `{{FENCE}}` or `{{QUESTION}}` stays literal text.
 * Throws TypeError when a field the template expects is missing, which is a
 * bug in the calling suite.
 */
export function renderJudgePrompt(
  prompt: JudgePrompt,
  values: Readonly<Record<string, string>>,
): string {
  for (const field of prompt.fields) {
    if (typeof values[field] !== "string") {
      throw new TypeError(`judge prompt ${prompt.path} needs the field ${field}`);
    }
  }
  const fence = deriveFence(prompt.fields.map((field) => values[field] as string));
  return prompt.template.replace(/\{\{([A-Z][A-Z0-9_]*)\}\}/g, (placeholder, name: string) => {
    if (name === FENCE_PLACEHOLDER) {
      return fence;
    }
    return values[name] ?? placeholder;
  });
}

/** Builds the conversation sent to the judge: the filled template as one user message. */
export function buildJudgeMessages(
  prompt: JudgePrompt,
  values: Readonly<Record<string, string>>,
): Message[] {
  return [{ role: "user", content: renderJudgePrompt(prompt, values) }];
}
