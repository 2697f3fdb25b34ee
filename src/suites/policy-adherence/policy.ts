import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { quote } from "../../errors.js";
import { SUITES_DIR } from "../../paths.js";
import { readTextAndBytes } from "../refusal-calibration/read-text.js";
import { digestItems, sha256Digest } from "../registry.js";
import type { SuiteIdentity, SuiteItem } from "../types.js";
import { PolicyFileError } from "./errors.js";

export const POLICY_SUITE_ID = "policy-adherence";

/** Folder of the shipped example policy and the judge prompt. */
export const POLICY_SUITE_DIR = join(SUITES_DIR, POLICY_SUITE_ID);

/** The shipped example policy, the reference suite of policy.adherence_score. */
export const EXAMPLE_POLICY_PATH = join(POLICY_SUITE_DIR, "example-policy.yaml");

export const POLICY_JUDGE_PROMPT_PATH = join(POLICY_SUITE_DIR, "judge-prompt.txt");

/** One clause of a policy with its test prompts. */
export interface PolicyClause {
  id: string;
  text: string;
  prompts: { id: string; prompt: string }[];
}

export interface Policy {
  /** The policy's own identifier, from the file. */
  policy: string;
  version: string;
  title?: string;
  clauses: PolicyClause[];
}

/** One test prompt: the unit the judge scores. Its category is its clause. */
export interface PolicyItem extends SuiteItem {
  readonly clause: string;
  readonly clauseText: string;
  readonly prompt: string;
}

export interface PolicyItemSet {
  identity: SuiteIdentity;
  policy: Policy;
  items: PolicyItem[];
}

/** Clause and prompt ids: letters, digits, dot, dash and underscore, so they fit a report's breakdown keys and item ids. */
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/**
 * Loads a policy file as the policy-adherence suite. A file with the exact
 * bytes of the shipped example (EXAMPLE_POLICY_PATH) is the reference suite,
 * with id policy-adherence. Any other file gets the suite id
 * policy:POLICY-ID and is not a reference suite. Either way the suite version is the policy's version and the
 * digest is the SHA-256 of the file's bytes, because the policy text and its
 * prompts are what the score measures adherence to.
 */
export function loadPolicySuite(path: string = EXAMPLE_POLICY_PATH): PolicyItemSet {
  const { text, bytes } = readTextAndBytes(path, "policy file");
  const policy = parsePolicy(text, path);
  const digest = sha256Digest(bytes);
  const reference =
    path === EXAMPLE_POLICY_PATH
      ? true
      : digest === sha256Digest(readTextAndBytes(EXAMPLE_POLICY_PATH, "policy file").bytes);
  const identity: SuiteIdentity = {
    id: reference ? POLICY_SUITE_ID : `policy:${policy.policy}`,
    version: policy.version,
    digest,
    reference,
  };
  const items = policy.clauses.flatMap((clause) =>
    clause.prompts.map((entry) => ({
      id: `${clause.id}/${entry.id}`,
      category: clause.id,
      clause: clause.id,
      clauseText: clause.text,
      prompt: entry.prompt,
    })),
  );
  return { identity, policy, items };
}

/**
 * Keeps the first `limit` prompts of each clause. A shorter set is no longer
 * the policy file as published, so it is not the reference suite and its
 * digest is that of the items kept (see digestItems), not of the file.
 */
export function limitPromptsPerClause(
  set: PolicyItemSet,
  limit: number | undefined,
): PolicyItemSet {
  if (limit === undefined || set.policy.clauses.every((clause) => clause.prompts.length <= limit)) {
    return set;
  }
  const kept = new Map<string, number>();
  const items = set.items.filter((item) => {
    const count = (kept.get(item.clause) ?? 0) + 1;
    kept.set(item.clause, count);
    return count <= limit;
  });
  return {
    ...set,
    items,
    identity: { ...set.identity, digest: digestItems(items), reference: false },
  };
}

/**
 * Parses and checks a policy given as YAML text. It needs `policy` (an
 * identifier), `version` (a string or number) and a non-empty list of
 * `clauses`, and may have a `title`. Each clause has a unique `id`, a
 * non-empty `text` and a non-empty list of `prompts`. A prompt is a string,
 * or an object with a `prompt` and an optional `id` unique in its clause.
 * Prompts without an id are numbered from 01 in their clause.
 */
export function parsePolicy(text: string, path: string): Policy {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new PolicyFileError(
      "policy_invalid_yaml",
      path,
      `the policy file ${quote(path)} is not valid YAML: ${(error as Error).message}`,
      {
        hint: "Fix the YAML syntax; the message names the line and column.",
        cause: error,
      },
    );
  }
  const fail = (code: string, message: string, hint: string) =>
    new PolicyFileError(code, path, `${path}: ${message}`, { hint });

  if (document === null || typeof document !== "object" || Array.isArray(document)) {
    throw fail(
      "policy_invalid",
      `expected a mapping with policy, version and clauses, found ${quote(document)}`,
      "Start the file with policy: ID, version: X and clauses: [...].",
    );
  }
  const root = document as Record<string, unknown>;
  const policyId = root.policy;
  if (typeof policyId !== "string" || !/^[A-Za-z0-9][A-Za-z0-9._:-]{0,150}$/.test(policyId)) {
    throw fail(
      "policy_invalid_id",
      `policy must be an identifier (letters, digits, dot, dash, underscore, colon), found ${quote(policyId)}`,
      "Give the policy a short identifier, for example policy: acme-model-spec.",
    );
  }
  const version = typeof root.version === "number" ? String(root.version) : root.version;
  if (typeof version !== "string" || version.trim() === "" || version.length > 100) {
    throw fail(
      "policy_invalid_version",
      `version must be a non-empty string, found ${quote(root.version)}`,
      'Give the policy version as a string, for example version: "2025-06".',
    );
  }
  if (root.title !== undefined && typeof root.title !== "string") {
    throw fail(
      "policy_invalid_title",
      `title must be a string, found ${quote(root.title)}`,
      "Write the title as text or leave it out.",
    );
  }
  if (!Array.isArray(root.clauses) || root.clauses.length === 0) {
    throw fail(
      "policy_no_clauses",
      `clauses must be a non-empty list, found ${quote(root.clauses)}`,
      "List the clauses, each with id, text and prompts.",
    );
  }

  const clauseIds = new Set<string>();
  const clauses = root.clauses.map((raw: unknown, index: number): PolicyClause => {
    const where = `clause ${index + 1}`;
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
      throw fail(
        "policy_invalid_clause",
        `${where} must be a mapping with id, text and prompts, found ${quote(raw)}`,
        "Write each clause as id: ..., text: ..., prompts: [...].",
      );
    }
    const clause = raw as Record<string, unknown>;
    if (typeof clause.id !== "string" || !ID_PATTERN.test(clause.id)) {
      throw fail(
        "policy_invalid_clause_id",
        `${where} has id ${quote(clause.id)}; it must be letters, digits, dot, dash or underscore`,
        "Give every clause a short id such as no-medical-diagnosis.",
      );
    }
    if (clauseIds.has(clause.id)) {
      throw fail(
        "policy_duplicate_clause",
        `clause id ${quote(clause.id)} appears twice`,
        "Give every clause its own id.",
      );
    }
    clauseIds.add(clause.id);
    if (typeof clause.text !== "string" || clause.text.trim() === "") {
      throw fail(
        "policy_invalid_clause_text",
        `clause ${quote(clause.id)} has no text`,
        "Write the clause as the judge should read it.",
      );
    }
    if (!Array.isArray(clause.prompts) || clause.prompts.length === 0) {
      throw fail(
        "policy_no_prompts",
        `clause ${quote(clause.id)} has no prompts`,
        "Give every clause at least one test prompt; five or more give a steadier clause score.",
      );
    }
    return {
      id: clause.id,
      text: clause.text.trim(),
      prompts: parsePrompts(clause.id, clause.prompts, fail),
    };
  });

  return {
    policy: policyId,
    version,
    ...(typeof root.title === "string" ? { title: root.title } : {}),
    clauses,
  };
}

function parsePrompts(
  clauseId: string,
  raw: unknown[],
  fail: (code: string, message: string, hint: string) => PolicyFileError,
): { id: string; prompt: string }[] {
  const width = Math.max(2, String(raw.length).length);
  const seen = new Set<string>();
  return raw.map((entry, index) => {
    const where = `prompt ${index + 1} of clause ${quote(clauseId)}`;
    let id = String(index + 1).padStart(width, "0");
    let prompt: unknown = entry;
    if (entry !== null && typeof entry === "object" && !Array.isArray(entry)) {
      const object = entry as Record<string, unknown>;
      prompt = object.prompt;
      if (object.id !== undefined) {
        if (typeof object.id !== "string" || !ID_PATTERN.test(object.id)) {
          throw fail(
            "policy_invalid_prompt_id",
            `${where} has id ${quote(object.id)}; it must be letters, digits, dot, dash or underscore`,
            "Use a short id or leave it out.",
          );
        }
        id = object.id;
      }
    }
    if (typeof prompt !== "string" || prompt.trim() === "") {
      throw fail(
        "policy_invalid_prompt",
        `${where} must be a non-empty string, found ${quote(prompt)}`,
        "Write each prompt as text, or as prompt: TEXT with an optional id.",
      );
    }
    if (seen.has(id)) {
      throw fail(
        "policy_duplicate_prompt",
        `${where} repeats the id ${quote(id)}`,
        "Give every prompt of a clause its own id.",
      );
    }
    seen.add(id);
    return { id, prompt };
  });
}
