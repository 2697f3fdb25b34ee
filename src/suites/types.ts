/**
 * The interface every reference suite implements. A suite owns its items,
 * turns an item into the conversation sent to the model, scores one
 * response, and aggregates scored outcomes into the registry metrics it
 * produces. The run engine, `candor score` and report assembly only see this
 * interface, so a new suite adds a folder under src/suites and an entry in
 * registry.ts.
 */

import type { Message } from "../providers/types.js";
import type { Breakdown, Interval } from "../spec/generated/report.js";

/** Which item set a result was measured on, as a report's protocol.suite records it. */
export interface SuiteIdentity {
  /** Suite id, for example refusal-calibration, or external:FILE for a loaded data set. */
  readonly id: string;
  readonly version: string;
  /** sha256:HEX of the items (see `digestItems` in registry.ts) or of an external file's bytes. */
  readonly digest: string;
  /** True when this is the registry's reference suite for the metrics it produces. */
  readonly reference: boolean;
}

/** The part of an item every suite has. */
export interface SuiteItem {
  /** Unique within the suite; the key of the item's sample in a run and in samples.jsonl. */
  readonly id: string;
  /** Group the item belongs to, used for breakdowns. */
  readonly category: string;
}

/** Settings that shape the conversation sent for an item. */
export interface PromptOptions {
  /** System prompt; undefined or empty sends none. */
  systemPrompt?: string;
}

/** A registry metric as a suite measured it: the value part of a report result. */
export interface MeasuredMetric {
  metric: string;
  metric_version: number;
  value: number;
  /** Scored units in the denominator, after excluding errors and unscored units. */
  sample_size: number;
  numerator?: number;
  /** Units that ran but could not be scored. */
  unscored?: number;
  interval: Interval;
  breakdowns?: Breakdown[];
  notes?: string;
}

/**
 * One suite. `Item` is the suite's item type, `Outcome` the scored outcome of
 * one item; both must be JSON-serialisable, because outcomes are stored in
 * the run store and written to samples.jsonl.
 */
export interface Suite<Item extends SuiteItem, Outcome> {
  readonly identity: SuiteIdentity;
  /** Number of items, for progress and ETA. */
  readonly size: number;
  /** The items in a fixed order. */
  items(): Iterable<Item>;
  /** The conversation sent to the model under test for one item. */
  buildMessages(item: Item, options: PromptOptions): Message[];
  /** Scores one response to one item. */
  score(item: Item, response: string): Promise<Outcome>;
  /**
   * Aggregates the outcomes of a run into the suite's metrics. A metric
   * with no scored unit is left out: its report result is then not_evaluated.
   */
  aggregate(outcomes: readonly Outcome[]): MeasuredMetric[];
}
