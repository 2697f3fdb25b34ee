import { describe, expect, it } from "vitest";
import { excerpt, httpError, parseRetryAfter } from "../../src/providers/errors.js";

describe("parseRetryAfter", () => {
  const now = Date.parse("2025-01-01T00:00:00Z");

  it("reads seconds, milliseconds and HTTP dates", () => {
    expect(parseRetryAfter(new Headers({ "retry-after": "2" }), now)).toBe(2000);
    expect(parseRetryAfter(new Headers({ "retry-after": "0.5" }), now)).toBe(500);
    expect(parseRetryAfter(new Headers({ "retry-after-ms": "120" }), now)).toBe(120);
    expect(
      parseRetryAfter(new Headers({ "retry-after": "Wed, 01 Jan 2025 00:00:07 GMT" }), now),
    ).toBe(7000);
  });

  it("treats a past date as no wait and garbage as absent", () => {
    expect(
      parseRetryAfter(new Headers({ "retry-after": "Tue, 31 Dec 2024 23:59:00 GMT" }), now),
    ).toBe(0);
    expect(parseRetryAfter(new Headers({ "retry-after": "soon" }), now)).toBeUndefined();
    expect(parseRetryAfter(new Headers({ "retry-after-ms": "-5" }), now)).toBeUndefined();
    expect(parseRetryAfter(new Headers(), now)).toBeUndefined();
  });
});

describe("httpError", () => {
  it("shortens the body and flags fatal statuses", () => {
    const error = httpError(
      "openai:m",
      "http://127.0.0.1/v1/chat/completions",
      404,
      new Headers(),
      `${"x ".repeat(400)}`,
    );
    expect(error.fatal).toBe(true);
    expect(error.retryable).toBe(false);
    expect(error.body?.length).toBeLessThanOrEqual(300);
    expect(error.hint).toContain("/v1");
  });

  it("collapses whitespace in excerpts", () => {
    expect(excerpt("  a\n\n  b\t c ")).toBe("a b c");
  });
});
