/**
 * The manifest of a suite with verifiable answers (suites/<id>/suite.json):
 * its id, version, item file and the fixed protocol texts, which together
 * make up the suite's digest.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CandorError, quote } from "../../errors.js";
import { digestItems } from "../registry.js";
import { spreadSubset } from "../subset.js";
import type { SuiteIdentity } from "../types.js";
import { type AnswerItem, loadAnswerItems } from "./items.js";

export interface AnswerSuiteFiles<Protocol extends Record<string, string>> {
  identity: SuiteIdentity;
  items: AnswerItem[];
  protocol: Protocol;
}

/** A suite manifest that is missing a field or cannot be read. */
export class SuiteManifestError extends CandorError {
  constructor(path: string, message: string, cause?: unknown) {
    super("invalid_suite_manifest", `${path}: ${message}`, {
      hint: "A suite.json holds id, version, items (a file name) and protocol (an object of texts).",
      ...(cause === undefined ? {} : { cause }),
    });
  }
}

/**
 * Reads suites/<id>/suite.json and its items. `protocolKeys` are the texts
 * the suite needs; each must be a non-empty string.
 */
export function loadAnswerSuite<Protocol extends Record<string, string>>(
  dir: string,
  protocolKeys: readonly (keyof Protocol & string)[],
  requireSuggestion: boolean,
): AnswerSuiteFiles<Protocol> {
  const path = join(dir, "suite.json");
  let manifest: {
    id?: unknown;
    version?: unknown;
    items?: unknown;
    protocol?: Record<string, unknown>;
  };
  try {
    manifest = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new SuiteManifestError(path, "cannot read the manifest", error);
  }
  const { id, version, items: itemsFile, protocol } = manifest;
  if (typeof id !== "string" || typeof version !== "string" || typeof itemsFile !== "string") {
    throw new SuiteManifestError(path, "id, version and items must be strings");
  }
  for (const key of protocolKeys) {
    if (typeof protocol?.[key] !== "string" || protocol[key] === "") {
      throw new SuiteManifestError(
        path,
        `protocol.${key} must be a non-empty string, received ${quote(protocol?.[key])}`,
      );
    }
  }
  const texts = Object.fromEntries(
    protocolKeys.map((key) => [key, protocol?.[key] as string]),
  ) as Protocol;
  const items = loadAnswerItems(join(dir, itemsFile), requireSuggestion);
  return { identity: answerSuiteIdentity(id, version, items, texts, true), items, protocol: texts };
}

/**
 * Computes the identity of an item set run under fixed protocol texts. The digest
 * covers every item and, as one more record with id "@protocol", every text
 * sent besides the items, because changing the challenge or a framing
 * changes what the metric measures.
 */
export function answerSuiteIdentity(
  id: string,
  version: string,
  items: readonly AnswerItem[],
  protocol: Readonly<Record<string, string>>,
  reference: boolean,
): SuiteIdentity {
  return {
    id,
    version,
    digest: digestItems([{ id: "@protocol", ...protocol }, ...items]),
    reference,
  };
}

/**
 * Returns the suite, or a subset of `limit` items spread over its
 * categories (see spreadSubset). A subset is not the reference suite and
 * carries its own digest.
 */
export function limitAnswerSuite<Protocol extends Record<string, string>>(
  suite: AnswerSuiteFiles<Protocol>,
  limit: number | undefined,
): AnswerSuiteFiles<Protocol> {
  if (limit === undefined || limit >= suite.items.length) {
    return suite;
  }
  const items = spreadSubset(suite.items, limit);
  return {
    ...suite,
    items,
    identity: answerSuiteIdentity(
      suite.identity.id,
      suite.identity.version,
      items,
      suite.protocol,
      false,
    ),
  };
}
