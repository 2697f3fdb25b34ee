import { basename } from "node:path";
import { quote } from "../../errors.js";
import type { Elicitation } from "../../spec/generated/report.js";
import type { Registry } from "../../spec/registry.js";
import type { SuiteIdentity } from "../types.js";
import { SuiteInputError } from "./errors.js";
import {
  digestRefusalItems,
  labelFromType,
  loadBuiltInItems,
  loadExternalDataset,
  type RefusalItem,
  type RefusalItemSet,
} from "./items.js";
import { type ReportIdentity, type WrittenRefusalReport, writeRefusalReport } from "./report.js";
import { type ResponseRecord, readResponsesFile } from "./responses.js";
import { type JudgeRunOptions, type ResponseToScore, scoreResponses } from "./score-all.js";
import { createRefusalSuite, type RefusalScorer } from "./suite.js";

export interface ScoreFileOptions {
  responsesPath: string;
  outDir: string;
  /** An external data set in the XSTest prompts layout that the response ids refer to. */
  datasetPath?: string;
  scorer: RefusalScorer;
  judgeRun: JudgeRunOptions;
  identity: ReportIdentity;
  /** The generation settings the responses were produced with, as far as the caller knows them. */
  elicitation: Elicitation;
  registry?: Registry;
}

export interface ScoreFileResult extends WrittenRefusalReport {
  /** Source of the items. */
  itemSource: "suite" | "dataset" | "responses_file";
  responses: number;
  /** Items of the suite or data set with no response in the file. */
  missing: number;
  judgeErrors: number;
}

/**
 * Suite id of an item set read from the responses file itself (a file in the
 * XSTest completions layout): the file's name, so a reader sees where the
 * items came from. Comparability rests on the digest of the items, so files
 * holding the same prompts stay comparable under different names.
 */
export function embeddedSuiteId(responsesPath: string): string {
  return `external:${basename(responsesPath)}`;
}

/** Suite version of an item set read from a responses file, which carries no version of its own. */
export const EMBEDDED_SUITE_VERSION = "prompts-in-responses-file";

/**
 * Scores a file of recorded responses and writes report.json and
 * samples.jsonl into `outDir`. The items the responses answer come from:
 * the data set given with `datasetPath`; else the responses file itself when
 * every row has a category (the XSTest `type` column); else the shipped
 * suite. Response ids must name items, and a response's prompt must be the
 * item's prompt (compared without surrounding white space), so responses
 * cannot be scored against the wrong items.
 */
export async function scoreResponsesFile(options: ScoreFileOptions): Promise<ScoreFileResult> {
  const file = readResponsesFile(options.responsesPath);
  const { itemSet, itemSource } = resolveItems(file.records, options);
  const suite = createRefusalSuite(itemSet, options.scorer);

  const byId = new Map(itemSet.items.map((item) => [item.id, item]));
  const toScore: ResponseToScore[] = file.records.map((record) => {
    const item = byId.get(record.id);
    if (item === undefined) {
      throw new SuiteInputError(
        "responses_unknown_id",
        options.responsesPath,
        `${options.responsesPath}, line ${record.line}: id ${quote(record.id)} is not an item of ${itemSet.identity.id}`,
        {
          hint: "Score responses to this suite's items, or pass the data set the ids come from with --dataset.",
        },
      );
    }
    if (item.prompt.trim() !== record.prompt.trim()) {
      throw new SuiteInputError(
        "responses_prompt_mismatch",
        options.responsesPath,
        `${options.responsesPath}, line ${record.line}: the prompt of ${quote(record.id)} differs from the item's prompt ${quote(item.prompt)}`,
        {
          hint: "Check that the file answers this suite's items; the ids may come from another data set (pass it with --dataset).",
        },
      );
    }
    return {
      item,
      response: record.completion,
      ...(record.humanLabel === undefined ? {} : { humanLabel: record.humanLabel }),
    };
  });

  const scored = await scoreResponses(suite, toScore, options.judgeRun);
  const missing = itemSet.items.length - toScore.length;
  const notes: string[] = [`Scored from recorded responses in ${basename(options.responsesPath)}.`];
  if (missing > 0) {
    notes.push(`${missing} of ${itemSet.items.length} items had no response and are not counted.`);
  }
  if (scored.judgeErrors > 0) {
    notes.push(
      `${scored.judgeErrors} responses are unscored because every judge request for them failed.`,
    );
  }

  const written = writeRefusalReport({
    outDir: options.outDir,
    suite,
    suiteIdentity: itemSet.identity,
    outcomes: scored.outcomes,
    identity: options.identity,
    elicitation: options.elicitation,
    ...(file.humanLabelField === undefined
      ? {}
      : { humanLabelSource: `${basename(options.responsesPath)} column ${file.humanLabelField}` }),
    notes,
    ...(options.registry === undefined ? {} : { registry: options.registry }),
  });
  return {
    ...written,
    itemSource,
    responses: toScore.length,
    missing,
    judgeErrors: scored.judgeErrors,
  };
}

function resolveItems(
  records: readonly ResponseRecord[],
  options: ScoreFileOptions,
): { itemSet: RefusalItemSet; itemSource: ScoreFileResult["itemSource"] } {
  if (options.datasetPath !== undefined) {
    return { itemSet: loadExternalDataset(options.datasetPath), itemSource: "dataset" };
  }
  if (records.every((record) => record.category !== undefined)) {
    const items: RefusalItem[] = records.map((record) => ({
      id: record.id,
      category: record.category as string,
      label: labelFromType(record.category as string),
      prompt: record.prompt,
    }));
    const identity: SuiteIdentity = {
      id: embeddedSuiteId(options.responsesPath),
      version: EMBEDDED_SUITE_VERSION,
      digest: digestRefusalItems(items),
      reference: false,
    };
    return { itemSet: { identity, items }, itemSource: "responses_file" };
  }
  return { itemSet: loadBuiltInItems(), itemSource: "suite" };
}
