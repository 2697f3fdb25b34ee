import { describe, expect, it } from "vitest";
import {
  chooseProgressMode,
  createProgressRenderer,
  formatDuration,
  formatProgress,
} from "../../src/cli/progress.js";
import type { ProgressSnapshot, RunEvent } from "../../src/engine/types.js";

const snapshot: ProgressSnapshot = {
  done: 300,
  errors: 2,
  skipped: 10,
  total: 1000,
  retries: 5,
  inFlight: 4,
  elapsedMs: 3000,
  ratePerSecond: 85.25,
  etaSeconds: 125,
};

function collect(mode: "tty" | "plain" | "json", clock: { time: number }, extra = {}) {
  const out: string[] = [];
  const renderer = createProgressRenderer({
    mode,
    write: (text) => out.push(text),
    now: () => clock.time,
    ...extra,
  });
  return { out, renderer };
}

const progress = (changes: Partial<ProgressSnapshot> = {}): RunEvent => ({
  type: "progress",
  ...snapshot,
  ...changes,
});
const finished: RunEvent = {
  type: "finished",
  aborted: false,
  stoppedBy: undefined,
  ...snapshot,
  etaSeconds: 0,
};

describe("progress rendering", () => {
  it("formats the status line", () => {
    expect(formatProgress(snapshot)).toBe(
      "312/1000 (31%)  85.3/s  ETA 2m05s  retries 5  errors 2  skipped 10",
    );
    expect(
      formatProgress({
        ...snapshot,
        total: undefined,
        skipped: 0,
        etaSeconds: undefined,
        ratePerSecond: 4321,
      }),
    ).toBe("302 finished  4321/s  ETA ?  retries 5  errors 2");
    expect(formatDuration(3725)).toBe("1h02m");
  });

  it("redraws one terminal line at most every interval", () => {
    const clock = { time: 0 };
    const { out, renderer } = collect("tty", clock, { redrawIntervalMs: 100, columns: 30 });
    renderer.onEvent(progress());
    clock.time = 50;
    renderer.onEvent(progress({ done: 301 }));
    clock.time = 150;
    renderer.onEvent(progress({ done: 302 }));
    expect(out).toHaveLength(2);
    expect(out[0]?.startsWith("\r\x1b[2K")).toBe(true);
    expect(out[0]?.length).toBe("\r\x1b[2K".length + 29);
    expect(out.join("")).not.toContain("\n");

    renderer.onEvent(finished);
    expect(out.at(-2)).toBe("\n");
    expect(out.at(-1)).toBe("finished in 3s: 300 done, 2 errors, 10 skipped, 5 retries\n");
  });

  it("prints errors above the line and then only counts them", () => {
    const clock = { time: 0 };
    const { out, renderer } = collect("tty", clock, { maxErrorLines: 2 });
    renderer.onEvent(progress());
    for (const id of ["a", "b", "c", "d"]) {
      renderer.onEvent({
        type: "sample_error",
        id,
        attempts: 3,
        reason: "HTTP 503",
        message: "HTTP 503 from server",
      });
    }
    const text = out.join("");
    expect(text).toContain(
      "\r\x1b[2Kerror: sample a failed after 3 attempts: HTTP 503 from server\n",
    );
    expect(text).toContain("error: sample b failed");
    expect(text).not.toContain("sample c");
    expect(text.match(/further sample errors/g)).toHaveLength(1);
  });

  it("writes plain lines every few seconds", () => {
    const clock = { time: 0 };
    const { out, renderer } = collect("plain", clock, { plainIntervalMs: 5000 });
    for (let time = 0; time <= 12_000; time += 500) {
      clock.time = time;
      renderer.onEvent(progress());
      renderer.onEvent({ type: "sample_done", id: "x", attempts: 1, latencyMs: 3 });
    }
    expect(out).toHaveLength(3);
    expect(out.every((line) => line.endsWith("\n") && !line.includes("\r"))).toBe(true);
  });

  it("writes NDJSON without per-sample events by default", () => {
    const clock = { time: 0 };
    const { out, renderer } = collect("json", clock);
    renderer.onEvent({ type: "sample_done", id: "x", attempts: 1, latencyMs: 3 });
    renderer.onEvent({
      type: "retry",
      id: "x",
      attempt: 1,
      delayMs: 20,
      reason: "HTTP 429",
      message: "slow down",
    });
    renderer.onEvent(finished);
    expect(out).toHaveLength(2);
    expect(JSON.parse(out[0] ?? "")).toEqual({
      type: "retry",
      id: "x",
      attempt: 1,
      delayMs: 20,
      reason: "HTTP 429",
      message: "slow down",
    });
    expect(JSON.parse(out[1] ?? "").type).toBe("finished");

    const withSamples = collect("json", clock, { jsonSampleEvents: true });
    withSamples.renderer.onEvent({ type: "sample_done", id: "x", attempts: 1, latencyMs: 3 });
    expect(withSamples.out).toHaveLength(1);
  });

  it("chooses the mode from the terminal and --json", () => {
    expect(chooseProgressMode({ interactive: true }, false)).toBe("tty");
    expect(chooseProgressMode({ interactive: false }, false)).toBe("plain");
    expect(chooseProgressMode({ interactive: true }, true)).toBe("json");
  });
});
