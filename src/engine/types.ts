/**
 * Types of the run engine: what a sample is, what `execute` receives, the
 * events a run emits, and the summary it returns.
 */

import type { RunStore } from "./store.js";

/** One unit of work. `id` is unique within a run and is the key in the run store. */
export interface Sample {
  readonly id: string;
}

/** What `execute` receives besides the sample. */
export interface AttemptContext {
  /** 1 for the first attempt. */
  attempt: number;
  /**
   * Aborted when the attempt's time limit passes (reason named TimeoutError)
   * or the run is cancelled. Pass it to every request the attempt makes.
   */
  signal: AbortSignal;
  /** Time limit of this attempt in milliseconds, undefined for none. */
  timeoutMs: number | undefined;
}

/** How the engine treats a failed attempt. */
export interface ErrorClassification {
  /** A later attempt may succeed. */
  retryable: boolean;
  /** No later sample can succeed either, so the run stops. */
  fatal: boolean;
  /** Wait the server asked for, in milliseconds. */
  retryAfterMs?: number;
  /** Short label for events, for example "HTTP 429", "timeout", "network". */
  reason: string;
}

export interface RunSamplesOptions<S extends Sample, O> {
  /** Pulled one at a time by the workers; never read ahead beyond the number of workers. */
  samples: AsyncIterable<S> | Iterable<S>;
  /** Produces the output of one sample; its result must be JSON-serialisable when a store is given. */
  execute: (sample: S, context: AttemptContext) => Promise<O>;
  /** Run store that records outputs and lets a run resume; without one, outputs go only to `onOutput`. */
  store?: RunStore;
  /** Receives each output as it is produced. */
  onOutput?: (sample: S, output: O) => void;
  /** Number of samples, when known, for progress and ETA. */
  total?: number;
  /** Samples in flight at once (number of workers). */
  concurrency: number;
  /** Attempts per sample, the first included. */
  maxAttempts: number;
  /** Backoff ceiling of the first retry, in milliseconds; doubles with each further retry. */
  baseDelayMs: number;
  /** Upper bound of any wait between attempts, in milliseconds, Retry-After included. */
  maxDelayMs: number;
  /** Time limit of one attempt, in milliseconds; undefined for none. */
  requestTimeoutMs?: number;
  onEvent?: (event: RunEvent) => void;
  /** Cancels the run: in-flight attempts are aborted and not recorded, so a resume redoes them. */
  signal?: AbortSignal;
  /** Interval of progress events, in milliseconds (default 500). */
  progressIntervalMs?: number;
  /** Longest time a finished sample waits in memory before it is written, in milliseconds (default 200). */
  flushIntervalMs?: number;
  /** Decides whether an error is retried; defaults to `classifyError`. */
  classifyError?: (error: unknown) => ErrorClassification;
  /** Source of jitter in [0, 1); defaults to Math.random. */
  random?: () => number;
}

/** Counts at one moment of a run. */
export interface ProgressSnapshot {
  /** Samples finished with an output in this session. */
  done: number;
  /** Samples that ended as recorded errors in this session. */
  errors: number;
  /** Samples skipped because an earlier session finished them. */
  skipped: number;
  total: number | undefined;
  /** Retried attempts so far. */
  retries: number;
  inFlight: number;
  elapsedMs: number;
  /** Samples finished (done or error) per second over the last few seconds. */
  ratePerSecond: number;
  /** Estimated seconds to the end; undefined without a total or a rate. */
  etaSeconds: number | undefined;
}

export type RunEvent =
  | {
      type: "started";
      total: number | undefined;
      concurrency: number;
      maxAttempts: number;
      requestTimeoutMs: number | undefined;
      /** True when the store already held samples from an earlier session. */
      resumed: boolean;
    }
  | { type: "sample_done"; id: string; attempts: number; latencyMs: number }
  | {
      type: "retry";
      id: string;
      /** The attempt that failed. */
      attempt: number;
      delayMs: number;
      reason: string;
      message: string;
    }
  | { type: "sample_error"; id: string; attempts: number; reason: string; message: string }
  | ({ type: "progress" } & ProgressSnapshot)
  | ({ type: "finished"; aborted: boolean; stoppedBy: string | undefined } & ProgressSnapshot);

export interface RunSummary {
  done: number;
  errors: number;
  skipped: number;
  retries: number;
  elapsedMs: number;
  /** True when the caller's signal cancelled the run before every sample was finished. */
  aborted: boolean;
  /** Start and end of this session, RFC 3339. */
  started: string;
  finished: string;
}
