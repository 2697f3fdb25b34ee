/**
 * Matching the ids of a replay file to the ids of the items run. Recorded
 * completion files often put a tag before each item id: the XSTest v2
 * completion files use "v2-1" for the prompt whose id is "1". When the ids
 * of the items run are missing from the file but appear after such a tag,
 * requests are looked up under the tagged id.
 */

import { readFileSync } from "node:fs";
import { InputOutputError, quote, UsageError } from "../errors.js";
import { loadRecords } from "../providers/replay.js";
import type { ChatRequest, Provider } from "../providers/types.js";

export interface ReplayAlignment {
  /** The provider to run: the replay provider itself, or one that adds `prefix` to each item id. */
  provider: Provider;
  /** Tag put before each item id to find its completion; empty when ids match as they are. */
  prefix: string;
  /** Item ids that have no completion in the file, in item order. */
  missing: string[];
}

/** Characters after which a common start of the file's ids counts as a tag. */
const TAG_END = /[-_:/.]$/;

/**
 * Aligns a replay provider with the items to run. Uses the ids as they are
 * when that finds more completions than a tag does. Throws a UsageError when
 * the file holds a completion for none of the items, naming ids from both
 * sides.
 */
export function alignReplayIds(
  provider: Provider,
  path: string,
  itemIds: readonly string[],
): ReplayAlignment {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new InputOutputError(
      "replay_unreadable",
      path,
      `cannot read replay file ${quote(path)}`,
      {
        hint: "Give the path to a CSV or JSONL file of recorded completions.",
        cause: error,
      },
    );
  }
  const recorded = new Set(loadRecords(path, text).keys());

  const prefix = commonTag([...recorded]);
  const direct = itemIds.filter((id) => recorded.has(id));
  const tagged = prefix === "" ? [] : itemIds.filter((id) => recorded.has(`${prefix}${id}`));

  if (direct.length === 0 && tagged.length === 0) {
    throw new UsageError(
      `replay file ${quote(path)} holds no completion for any of the ${itemIds.length} items run (item ids such as ${examples(itemIds)}; ids in the file such as ${examples([...recorded])})`,
      "Replay a file recorded for these items, or pass the data set its ids come from with --dataset.",
    );
  }
  if (direct.length >= tagged.length) {
    return {
      provider,
      prefix: "",
      missing: itemIds.filter((id) => !recorded.has(id)),
    };
  }
  return {
    provider: withIdPrefix(provider, prefix),
    prefix,
    missing: itemIds.filter((id) => !recorded.has(`${prefix}${id}`)),
  };
}

/**
 * Returns the start that every id shares, cut after its last tag character
 * ("v2-" for "v2-1", "v2-17"), or "" when the ids share no such start.
 */
function commonTag(ids: readonly string[]): string {
  const first = ids[0];
  if (first === undefined) {
    return "";
  }
  let length = first.length;
  for (const id of ids) {
    let shared = 0;
    while (shared < length && shared < id.length && id[shared] === first[shared]) {
      shared++;
    }
    length = shared;
  }
  let tag = first.slice(0, length);
  while (tag !== "" && !TAG_END.test(tag)) {
    tag = tag.slice(0, -1);
  }
  return tag;
}

function withIdPrefix(provider: Provider, prefix: string): Provider {
  return {
    ...provider,
    chat(request: ChatRequest) {
      const itemId = request.metadata?.itemId;
      return provider.chat(
        itemId === undefined
          ? request
          : { ...request, metadata: { ...request.metadata, itemId: `${prefix}${itemId}` } },
      );
    },
  };
}

function examples(ids: readonly string[]): string {
  const shown = ids.slice(0, 3).map((id) => quote(id));
  return ids.length > 3 ? `${shown.join(", ")}, ...` : shown.join(", ");
}
