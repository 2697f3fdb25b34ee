/**
 * The run engine: `runSamples` executes every sample of a run with bounded
 * concurrency, retries, a per-attempt time limit and an optional run store.
 *
 * Contract:
 * - A fixed pool of `concurrency` workers pulls samples from the iterator one
 *   at a time, so samples are never all in memory and the engine holds at
 *   most `concurrency` samples plus one store batch at any moment.
 * - Each sample ends exactly once: as `done` with its output, or as `error`
 *   with the last error message after `maxAttempts` attempts or a
 *   non-retryable error. Errors are recorded, never dropped.
 * - Retries wait with exponential backoff and full jitter (see `retryDelay`).
 *   A server's Retry-After also holds back every worker's next attempt until
 *   it has passed, because a rate limit applies to the whole run, not to one
 *   sample.
 * - With a store, samples it holds as `done` are skipped, samples it holds as
 *   `error` run again, and a sample id seen twice in one run stops the run.
 * - An error classified as fatal (a rejected key, an unknown model) stops the
 *   run: no new samples start, samples in flight finish, and `runSamples`
 *   rejects with `RunStoppedError`. An error thrown by the sample iterator,
 *   the store or `onEvent` stops the run the same way and is rethrown as is.
 * - Cancelling through `signal` aborts attempts in flight without recording
 *   them, so a resume redoes them; the summary then has `aborted: true`.
 * The engine never prints; it reports through `onEvent`.
 */

import { setMaxListeners } from "node:events";
import { quote, UsageError } from "../errors.js";
import { startDeadline } from "../providers/deadline.js";
import { DuplicateSampleError, InvalidSampleError, RunStoppedError } from "./errors.js";
import { classifyError, retryDelay } from "./retry.js";
import type { ProgressSnapshot, RunEvent, RunSamplesOptions, RunSummary, Sample } from "./types.js";

const DEFAULT_PROGRESS_INTERVAL_MS = 500;
const DEFAULT_FLUSH_INTERVAL_MS = 200;
/** The rate behind the ETA is measured over about this many recent seconds. */
const RATE_WINDOW_MS = 10_000;

export async function runSamples<S extends Sample, O>(
  options: RunSamplesOptions<S, O>,
): Promise<RunSummary> {
  checkOptions(options);
  const { store, execute, maxAttempts, requestTimeoutMs } = options;
  const classify = options.classifyError ?? classifyError;
  const random = options.random ?? Math.random;

  const counts = { done: 0, errors: 0, skipped: 0, retries: 0, inFlight: 0 };
  const started = new Date();
  const startedAt = performance.now();
  const rate = new RateMeter(startedAt);

  // Cancels attempts in flight when the caller's signal aborts. Every attempt and every wait
  // listens on it, so it has up to two listeners per worker: more than Node's default
  // warning threshold of 10, and none of them leak because each is removed when it ends.
  const run = new AbortController();
  setMaxListeners(0, run.signal);
  const onCallerAbort = () => run.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", onCallerAbort, { once: true });
  if (options.signal?.aborted) {
    run.abort(options.signal.reason);
  }

  let stop: { error: unknown; wrap: boolean } | undefined;
  const stopRun = (error: unknown, wrap: boolean) => {
    stop ??= { error, wrap };
  };
  // Earliest time, on the performance.now() clock, at which any worker may start an attempt.
  let notBefore = 0;

  const snapshot = (): ProgressSnapshot => {
    const now = performance.now();
    const finished = counts.done + counts.errors;
    const ratePerSecond = rate.rate(now, finished);
    let etaSeconds: number | undefined;
    if (options.total !== undefined) {
      const remaining = Math.max(0, options.total - counts.skipped - finished);
      if (remaining === 0) {
        etaSeconds = 0;
      } else if (ratePerSecond > 0) {
        etaSeconds = remaining / ratePerSecond;
      }
    }
    return {
      done: counts.done,
      errors: counts.errors,
      skipped: counts.skipped,
      total: options.total,
      retries: counts.retries,
      inFlight: counts.inFlight,
      elapsedMs: Math.round(now - startedAt),
      ratePerSecond,
      etaSeconds,
    };
  };

  const emit = (event: RunEvent) => {
    if (options.onEvent === undefined) {
      return;
    }
    try {
      options.onEvent(event);
    } catch (error) {
      stopRun(error, false);
    }
  };

  const resumed = store?.hasSamples ?? false;
  const session =
    store?.beginSession(
      {
        concurrency: options.concurrency,
        max_attempts: maxAttempts,
        base_delay_ms: options.baseDelayMs,
        max_delay_ms: options.maxDelayMs,
        request_timeout_ms: requestTimeoutMs ?? null,
      },
      started,
    ) ?? 0;
  emit({
    type: "started",
    total: options.total,
    concurrency: options.concurrency,
    maxAttempts,
    requestTimeoutMs,
    resumed,
  });

  const progressTimer = setInterval(() => {
    rate.mark(performance.now(), counts.done + counts.errors);
    emit({ type: "progress", ...snapshot() });
  }, options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS);
  progressTimer.unref();
  const flushTimer = setInterval(() => {
    try {
      store?.flush();
    } catch (error) {
      stopRun(error, false);
    }
  }, options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS);
  flushTimer.unref();

  /** Runs one attempt, rejecting when its deadline passes even if `execute` ignores the signal. */
  const attemptOnce = async (sample: S, attempt: number): Promise<O> => {
    const deadline = startDeadline(run.signal, requestTimeoutMs);
    try {
      let pending: Promise<O>;
      try {
        pending = execute(sample, {
          attempt,
          signal: deadline.signal,
          timeoutMs: requestTimeoutMs,
        });
      } catch (error) {
        pending = Promise.reject(error);
      }
      return await settleOrAbort(pending, deadline.signal);
    } finally {
      deadline.dispose();
    }
  };

  /** Runs a sample to its end: done, error, or cancelled (not recorded). */
  const processSample = async (sample: S): Promise<void> => {
    const firstStart = Date.now();

    for (let attempt = 1; ; attempt++) {
      const wait = notBefore - performance.now();
      if (wait > 0 && !(await sleep(wait, run.signal))) {
        return;
      }

      const attemptStart = performance.now();
      let output: O;
      try {
        output = await attemptOnce(sample, attempt);
      } catch (error) {
        const latencyMs = performance.now() - attemptStart;
        if (run.signal.aborted) {
          return;
        }

        const classification = classify(error);
        const message = errorMessage(error);
        const final = classification.fatal || !classification.retryable || attempt >= maxAttempts;
        if (final) {
          counts.errors++;
          store?.record({
            id: sample.id,
            status: "error",
            attempts: attempt,
            error: message,
            startedAt: firstStart,
            finishedAt: Date.now(),
            latencyMs,
          });
          emit({
            type: "sample_error",
            id: sample.id,
            attempts: attempt,
            reason: classification.reason,
            message,
          });
          if (classification.fatal) {
            stopRun(error, true);
          }
          return;
        }

        const delayMs = retryDelay(attempt, {
          baseDelayMs: options.baseDelayMs,
          maxDelayMs: options.maxDelayMs,
          random,
          ...(classification.retryAfterMs === undefined
            ? {}
            : { retryAfterMs: classification.retryAfterMs }),
        });
        if (classification.retryAfterMs !== undefined) {
          notBefore = Math.max(notBefore, performance.now() + delayMs);
        }
        counts.retries++;
        emit({
          type: "retry",
          id: sample.id,
          attempt,
          delayMs,
          reason: classification.reason,
          message,
        });
        if (!(await sleep(delayMs, run.signal))) {
          return;
        }
        continue;
      }

      const latencyMs = performance.now() - attemptStart;
      counts.done++;
      store?.record({
        id: sample.id,
        status: "done",
        attempts: attempt,
        output,
        startedAt: firstStart,
        finishedAt: Date.now(),
        latencyMs,
      });
      options.onOutput?.(sample, output);
      emit({ type: "sample_done", id: sample.id, attempts: attempt, latencyMs });
      return;
    }
  };

  const puller = createPuller(options.samples);
  let exhausted = false;
  // Ids of samples in flight: a duplicate can be in flight before either copy is stored.
  const active = new Set<string>();

  const worker = async (): Promise<void> => {
    try {
      while (!run.signal.aborted && stop === undefined) {
        const next = await puller.next();
        if (next.done === true) {
          exhausted = true;
          return;
        }
        if (run.signal.aborted || stop !== undefined) {
          return;
        }

        const sample = next.value;
        const id: unknown = sample?.id;
        if (typeof id !== "string" || id === "") {
          stopRun(new InvalidSampleError(`the id ${quote(id)} is not a non-empty string`), false);
          return;
        }
        if (active.has(id)) {
          stopRun(new DuplicateSampleError(id), false);
          return;
        }
        const stored = store?.lookup(id);
        if (stored !== undefined) {
          if (stored.session === session) {
            stopRun(new DuplicateSampleError(id), false);
            return;
          }
          if (stored.status === "done") {
            counts.skipped++;
            continue;
          }
        }

        active.add(id);
        counts.inFlight++;
        try {
          await processSample(sample);
        } finally {
          active.delete(id);
          counts.inFlight--;
        }
      }
    } catch (error) {
      stopRun(error, false);
    }
  };

  try {
    const workers: Promise<void>[] = [];
    for (let index = 0; index < options.concurrency; index++) {
      workers.push(worker());
    }
    await Promise.all(workers);
  } finally {
    clearInterval(progressTimer);
    clearInterval(flushTimer);
    options.signal?.removeEventListener("abort", onCallerAbort);
    if (!exhausted) {
      await puller.close();
    }
  }

  const aborted = run.signal.aborted;
  const complete = exhausted && stop === undefined && !aborted;
  const finished = new Date();
  store?.endSession(
    { done: counts.done, errors: counts.errors, skipped: counts.skipped, retries: counts.retries },
    complete,
    finished,
  );

  const final = snapshot();
  emit({
    type: "finished",
    aborted,
    stoppedBy: stop === undefined ? undefined : errorMessage(stop.error),
    ...final,
  });

  const summary: RunSummary = {
    done: counts.done,
    errors: counts.errors,
    skipped: counts.skipped,
    retries: counts.retries,
    elapsedMs: final.elapsedMs,
    aborted,
    started: started.toISOString(),
    finished: finished.toISOString(),
  };
  if (stop !== undefined) {
    if (stop.wrap) {
      throw new RunStoppedError(errorMessage(stop.error), summary, stop.error);
    }
    throw stop.error;
  }
  return summary;
}

function checkOptions(
  options: Pick<
    RunSamplesOptions<Sample, unknown>,
    "concurrency" | "maxAttempts" | "baseDelayMs" | "maxDelayMs" | "requestTimeoutMs"
  >,
): void {
  const integers: [string, number, number][] = [
    ["concurrency", options.concurrency, 1],
    ["maxAttempts", options.maxAttempts, 1],
  ];
  for (const [name, value, minimum] of integers) {
    if (!Number.isInteger(value) || value < minimum) {
      throw new UsageError(
        `invalid ${name} ${quote(value)}: expected an integer of at least ${minimum}`,
      );
    }
  }
  const durations: [string, number | undefined][] = [
    ["baseDelayMs", options.baseDelayMs],
    ["maxDelayMs", options.maxDelayMs],
    ["requestTimeoutMs", options.requestTimeoutMs],
  ];
  for (const [name, value] of durations) {
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      throw new UsageError(
        `invalid ${name} ${quote(value)}: expected a number of milliseconds, 0 or more`,
      );
    }
  }
  if (options.requestTimeoutMs === 0) {
    throw new UsageError("invalid requestTimeoutMs 0: expected a positive number of milliseconds");
  }
}

interface Puller<S> {
  next(): IteratorResult<S> | Promise<IteratorResult<S>>;
  close(): Promise<void>;
}

/**
 * Serialises pulls from the sample source. An async iterator may not accept
 * a second `next()` before the first settles, so workers queue on a chain;
 * a sync iterator is pulled directly, which costs no promise per sample.
 */
function createPuller<S>(samples: AsyncIterable<S> | Iterable<S>): Puller<S> {
  if (Symbol.asyncIterator in samples) {
    const iterator = samples[Symbol.asyncIterator]();
    let chain: Promise<unknown> = Promise.resolve();
    return {
      next() {
        const result = chain.then(() => iterator.next());
        chain = result.catch(() => undefined);
        return result;
      },
      async close() {
        await chain;
        await iterator.return?.();
      },
    };
  }
  const iterator = samples[Symbol.iterator]();
  return {
    next: () => iterator.next(),
    async close() {
      iterator.return?.();
    },
  };
}

/** Settles like `promise`, or rejects with the signal's reason as soon as it aborts. */
function settleOrAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** Waits `ms` milliseconds; resolves false at once if the signal aborts first. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) {
    return Promise.resolve(false);
  }
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    return error.message;
  }
  return String(error);
}

/**
 * Finished samples per second over a sliding window of progress marks, so
 * the ETA follows the current pace rather than the average since the start.
 */
class RateMeter {
  readonly #marks: { time: number; finished: number }[];

  constructor(start: number) {
    this.#marks = [{ time: start, finished: 0 }];
  }

  mark(time: number, finished: number): void {
    this.#marks.push({ time, finished });
    while (this.#marks.length > 2 && time - (this.#marks[1]?.time ?? time) >= RATE_WINDOW_MS) {
      this.#marks.shift();
    }
  }

  rate(time: number, finished: number): number {
    const oldest = this.#marks[0];
    if (oldest === undefined || time <= oldest.time) {
      return 0;
    }
    return ((finished - oldest.finished) * 1000) / (time - oldest.time);
  }
}
