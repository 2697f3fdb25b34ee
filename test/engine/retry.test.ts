import { describe, expect, it } from "vitest";
import { classifyError, retryDelay } from "../../src/engine/index.js";
import { ProviderError } from "../../src/providers/errors.js";

describe("retryDelay", () => {
  const policy = { baseDelayMs: 100, maxDelayMs: 1000 };

  it("draws uniformly below a doubling ceiling", () => {
    expect(retryDelay(1, { ...policy, random: () => 0 })).toBe(0);
    expect(retryDelay(1, { ...policy, random: () => 0.5 })).toBe(50);
    expect(retryDelay(2, { ...policy, random: () => 0.5 })).toBe(100);
    expect(retryDelay(3, { ...policy, random: () => 0.5 })).toBe(200);
  });

  it("never exceeds maxDelayMs", () => {
    expect(retryDelay(10, { ...policy, random: () => 0.999 })).toBeLessThanOrEqual(1000);
    expect(retryDelay(10, { ...policy, random: () => 0.999 })).toBeGreaterThan(990);
  });

  it("waits at least Retry-After, up to maxDelayMs", () => {
    expect(retryDelay(1, { ...policy, retryAfterMs: 700, random: () => 0 })).toBe(700);
    expect(retryDelay(4, { ...policy, retryAfterMs: 10, random: () => 0.9 })).toBe(720);
    expect(retryDelay(1, { ...policy, retryAfterMs: 60_000, random: () => 0 })).toBe(1000);
  });
});

describe("classifyError", () => {
  it("reads the fields a provider error carries", () => {
    const limited = new ProviderError("provider_http", "rate limited", {
      status: 429,
      retryable: true,
      retryAfterMs: 2000,
    });
    expect(classifyError(limited)).toEqual({
      retryable: true,
      fatal: false,
      retryAfterMs: 2000,
      reason: "HTTP 429",
    });

    const rejected = new ProviderError("provider_http", "bad key", {
      status: 401,
      retryable: false,
      fatal: true,
    });
    expect(classifyError(rejected)).toEqual({ retryable: false, fatal: true, reason: "HTTP 401" });

    const garbled = new ProviderError("provider_bad_response", "not JSON", {
      status: 200,
      retryable: true,
    });
    expect(classifyError(garbled).reason).toBe("bad response");
  });

  it("retries the engine's own timeout", () => {
    expect(classifyError(new DOMException("timed out after 5 ms", "TimeoutError"))).toEqual({
      retryable: true,
      fatal: false,
      reason: "timeout",
    });
  });

  it("does not retry unknown errors", () => {
    expect(classifyError(new TypeError("x is undefined"))).toEqual({
      retryable: false,
      fatal: false,
      reason: "TypeError",
    });
    expect(classifyError("a string")).toMatchObject({ retryable: false });
  });
});
