import { quote } from "../errors.js";
import { readTextFile } from "../suites/refusal-calibration/read-text.js";
import { sha256Digest } from "../suites/registry.js";
import { JudgePromptError } from "./errors.js";

/**
 * A judge prompt template read from a file. Placeholders are written
 * `{{NAME}}` with NAME in upper case. `{{FENCE}}` is the fence marker (see
 * render.ts), and every other placeholder is a field the suite fills in.
 */
export interface JudgePrompt {
  /** File the template was read from, for messages. */
  path: string;
  template: string;
  /** sha256 of the template text, recorded in a report as judge_prompt_digest. */
  digest: string;
  /** Field names the template expects, without FENCE, in order of first use. */
  fields: readonly string[];
}

/** The fence placeholder, which may appear any number of times. */
export const FENCE_PLACEHOLDER = "FENCE";

const PLACEHOLDER = /\{\{([A-Z][A-Z0-9_]*)\}\}/g;

/**
 * Reads a judge prompt template and checks it against the fields the suite
 * fills in and the verdicts it parses. Each of `fields` must appear exactly
 * once, no other placeholder may appear, and `{{FENCE}}` must appear. Each
 * verdict word must appear in the text, so the prompt names every answer
 * the parser accepts. Throws JudgePromptError otherwise.
 */
export function loadJudgePrompt(
  path: string,
  fields: readonly string[],
  verdicts: readonly string[],
): JudgePrompt {
  return parseJudgePrompt(readTextFile(path, "judge prompt"), path, fields, verdicts);
}

/** Checks a template given as text; `path` names its source in messages. */
export function parseJudgePrompt(
  template: string,
  path: string,
  fields: readonly string[],
  verdicts: readonly string[],
): JudgePrompt {
  const counts = new Map<string, number>();
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = match[1] as string;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }

  if (!counts.has(FENCE_PLACEHOLDER)) {
    throw new JudgePromptError(
      "judge_prompt_no_fence",
      path,
      `the judge prompt ${quote(path)} has no {{FENCE}} placeholder`,
      {
        hint: "Put every field that holds model output between two lines {{FENCE}}-NAME, so the judge can tell data from instructions.",
      },
    );
  }
  for (const field of fields) {
    const count = counts.get(field) ?? 0;
    if (count !== 1) {
      throw new JudgePromptError(
        "judge_prompt_field",
        path,
        `the judge prompt ${quote(path)} uses {{${field}}} ${count} times; it must appear exactly once`,
        {
          hint: `Expected placeholders: ${fields.map((name) => `{{${name}}}`).join(", ")} and {{FENCE}}.`,
        },
      );
    }
  }
  const unknown = [...counts.keys()].filter(
    (name) => name !== FENCE_PLACEHOLDER && !fields.includes(name),
  );
  if (unknown.length > 0) {
    throw new JudgePromptError(
      "judge_prompt_unknown_placeholder",
      path,
      `the judge prompt ${quote(path)} has placeholders nothing fills in: ${unknown.map((name) => `{{${name}}}`).join(", ")}`,
      { hint: `Use only ${fields.map((name) => `{{${name}}}`).join(", ")} and {{FENCE}}.` },
    );
  }
  const unnamed = verdicts.filter((verdict) => !template.includes(verdict));
  if (unnamed.length > 0) {
    throw new JudgePromptError(
      "judge_prompt_verdicts",
      path,
      `the judge prompt ${quote(path)} never names the verdict ${unnamed.map((verdict) => quote(verdict)).join(", ")}`,
      { hint: `The judge must answer with one of: ${verdicts.join(", ")}; say so in the prompt.` },
    );
  }

  const ordered = [...counts.keys()].filter((name) => name !== FENCE_PLACEHOLDER);
  return { path, template, digest: sha256Digest(template), fields: ordered };
}
