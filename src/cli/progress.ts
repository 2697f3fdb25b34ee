/**
 * Renders run events from the engine for a person or a script:
 * - `tty`: one status line redrawn in place (done/total, rate, ETA, retries,
 *   errors), at most every `redrawIntervalMs`; error messages are printed
 *   above it.
 * - `plain` (logs, CI): the same status as a new line every
 *   `plainIntervalMs`, plus error lines.
 * - `json`: one JSON object per event (NDJSON). Per-sample `sample_done`
 *   events are left out unless `jsonSampleEvents` is set, because at
 *   thousands of samples per second they would flood a log.
 * Events the mode does not show return after one comparison, so rendering
 * costs nothing measurable however fast samples finish. Only the first
 * `maxErrorLines` error messages are printed; the status line keeps counting.
 */

import type { ProgressSnapshot, RunEvent } from "../engine/types.js";
import type { CommandIO } from "./io.js";

export type ProgressMode = "tty" | "plain" | "json";

export interface ProgressRendererOptions {
  mode: ProgressMode;
  write: (text: string) => void;
  /** Shortest time between two redraws on a terminal, in milliseconds (default 100). */
  redrawIntervalMs?: number;
  /** Time between two status lines in plain mode, in milliseconds (default 5,000). */
  plainIntervalMs?: number;
  /** Also write `sample_done` events in json mode. */
  jsonSampleEvents?: boolean;
  /** Error messages printed before further ones are only counted (default 10). */
  maxErrorLines?: number;
  /** Terminal width; the tty line is cut to fit. */
  columns?: number;
  /** Clock in milliseconds, for tests. */
  now?: () => number;
}

export interface ProgressRenderer {
  onEvent(event: RunEvent): void;
}

/** Picks json when asked for, a redrawn line on an interactive terminal, plain lines elsewhere. */
export function chooseProgressMode(
  io: Pick<CommandIO, "interactive">,
  json: boolean,
): ProgressMode {
  if (json) {
    return "json";
  }
  return io.interactive ? "tty" : "plain";
}

export function createProgressRenderer(options: ProgressRendererOptions): ProgressRenderer {
  const { mode, write } = options;
  const now = options.now ?? (() => performance.now());
  const redrawIntervalMs = options.redrawIntervalMs ?? 100;
  const plainIntervalMs = options.plainIntervalMs ?? 5000;
  const maxErrorLines = options.maxErrorLines ?? 10;

  let lastDraw = Number.NEGATIVE_INFINITY;
  let lineShown = false;
  let errorLines = 0;

  const fitToWidth = (line: string) =>
    options.columns !== undefined && line.length >= options.columns
      ? line.slice(0, Math.max(0, options.columns - 1))
      : line;

  const drawStatus = (snapshot: ProgressSnapshot) => {
    if (mode === "tty") {
      write(`\r\x1b[2K${fitToWidth(formatProgress(snapshot))}`);
      lineShown = true;
    } else {
      write(`${formatProgress(snapshot)}\n`);
    }
  };

  const printAbove = (text: string) => {
    if (mode === "tty" && lineShown) {
      write("\r\x1b[2K");
      lineShown = false;
    }
    write(`${text}\n`);
  };

  const onError = (event: Extract<RunEvent, { type: "sample_error" }>) => {
    errorLines++;
    if (errorLines <= maxErrorLines) {
      printAbove(
        `error: sample ${event.id} failed after ${plural(event.attempts, "attempt")}: ${event.message}`,
      );
    } else if (errorLines === maxErrorLines + 1) {
      printAbove("error: further sample errors are counted but not printed");
    }
    // Redraw at the next progress event rather than now, so an error burst costs one redraw.
    lastDraw = Number.NEGATIVE_INFINITY;
  };

  return {
    onEvent(event) {
      if (mode === "json") {
        if (event.type !== "sample_done" || options.jsonSampleEvents === true) {
          write(`${JSON.stringify(event)}\n`);
        }
        return;
      }

      switch (event.type) {
        case "progress": {
          const time = now();
          if (time - lastDraw >= (mode === "tty" ? redrawIntervalMs : plainIntervalMs)) {
            lastDraw = time;
            drawStatus(event);
          }
          return;
        }
        case "sample_error":
          onError(event);
          return;
        case "started":
          if (event.resumed) {
            printAbove(
              "resuming: samples already done are skipped, samples that failed are run again",
            );
          }
          return;
        case "finished":
          if (mode === "tty") {
            drawStatus(event);
            write("\n");
            lineShown = false;
          }
          write(`${formatSummary(event)}\n`);
          return;
        default:
          return;
      }
    },
  };
}

/** Formats the status line, for example `312/1000 (31%)  85.3/s  ETA 8s  retries 3  errors 1`. */
export function formatProgress(snapshot: ProgressSnapshot): string {
  const finished = snapshot.done + snapshot.errors + snapshot.skipped;
  const parts: string[] = [];
  if (snapshot.total !== undefined && snapshot.total > 0) {
    parts.push(`${finished}/${snapshot.total} (${Math.floor((finished * 100) / snapshot.total)}%)`);
  } else {
    parts.push(`${finished} finished`);
  }
  parts.push(`${formatRate(snapshot.ratePerSecond)}/s`);
  parts.push(
    `ETA ${snapshot.etaSeconds === undefined ? "?" : formatDuration(snapshot.etaSeconds)}`,
  );
  parts.push(`retries ${snapshot.retries}`);
  parts.push(`errors ${snapshot.errors}`);
  if (snapshot.skipped > 0) {
    parts.push(`skipped ${snapshot.skipped}`);
  }
  return parts.join("  ");
}

function formatSummary(event: Extract<RunEvent, { type: "finished" }>): string {
  const elapsed = formatDuration(event.elapsedMs / 1000);
  const counts = `${event.done} done, ${plural(event.errors, "error")}, ${event.skipped} skipped, ${plural(event.retries, "retry", "retries")}`;
  if (event.stoppedBy !== undefined) {
    return `stopped after ${elapsed}: ${counts}`;
  }
  if (event.aborted) {
    return `cancelled after ${elapsed}: ${counts}; resume the run to finish it`;
  }
  return `finished in ${elapsed}: ${counts}`;
}

function formatRate(rate: number): string {
  return rate >= 100 ? String(Math.round(rate)) : rate.toFixed(1);
}

/** Seconds as `8s`, `2m05s` or `1h02m`. */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  if (whole < 60) {
    return `${whole}s`;
  }
  if (whole < 3600) {
    return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, "0")}s`;
  }
  return `${Math.floor(whole / 3600)}h${String(Math.floor((whole % 3600) / 60)).padStart(2, "0")}m`;
}

function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}
