import { describe, expect, it } from "vitest";
import { JsonDocumentError, parseJsonDocument } from "../../src/spec/json.js";

function rejection(
  input: Uint8Array | string,
  limits?: Parameters<typeof parseJsonDocument>[1],
): JsonDocumentError {
  try {
    parseJsonDocument(input, limits);
  } catch (error) {
    if (error instanceof JsonDocumentError) {
      return error;
    }
    throw error;
  }
  throw new Error(`expected a rejection for ${JSON.stringify(String(input).slice(0, 40))}`);
}

describe("parseJsonDocument", () => {
  it("parses what JSON.parse parses, value for value", () => {
    const samples = [
      '{"a":[1,2.5,-3e-2,0,true,false,null],"b":{"c":"d\\"e\\\\f\\/g\\b\\f\\n\\r\\t"}}',
      "  [ ]  ",
      "{}",
      '"\\u00e9\\ud83d\\ude00 plain é 😀"',
      "-0",
      "1E+2",
      '[[[["deep"]]]]',
      '{"":"empty key","a b":1}',
    ];
    for (const sample of samples) {
      expect(parseJsonDocument(sample), sample).toEqual(JSON.parse(sample));
    }
  });

  it("matches JSON.parse on generated documents", () => {
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const build = (depth: number): unknown => {
      const pick = Math.floor(random() * (depth > 4 ? 4 : 6));
      if (pick === 0) return Math.round((random() - 0.5) * 1e6) / 1e3;
      if (pick === 1) return `s${Math.floor(random() * 1000)}\n"\u0001é`;
      if (pick === 2) return random() > 0.5;
      if (pick === 3) return null;
      if (pick === 4)
        return Array.from({ length: Math.floor(random() * 4) }, () => build(depth + 1));
      const object: Record<string, unknown> = {};
      for (let index = 0; index < Math.floor(random() * 4); index++) {
        object[`k${index}`] = build(depth + 1);
      }
      return object;
    };
    for (let round = 0; round < 200; round++) {
      const text = JSON.stringify(build(0), null, round % 2 === 0 ? 2 : undefined);
      expect(parseJsonDocument(text)).toEqual(JSON.parse(text));
    }
  });

  it("reads UTF-8 bytes", () => {
    expect(parseJsonDocument(new TextEncoder().encode('{"name":"Évaluation"}'))).toEqual({
      name: "Évaluation",
    });
  });

  it("rejects empty and blank input", () => {
    expect(rejection("").code).toBe("json.empty");
    expect(rejection(" \n\t\r ").code).toBe("json.empty");
    expect(rejection(new Uint8Array(0)).code).toBe("json.empty");
  });

  it("rejects a byte-order mark in bytes and in strings", () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode("{}")]);
    expect(rejection(bytes).code).toBe("json.bom");
    expect(rejection("\uFEFF{}").code).toBe("json.bom");
    expect(rejection(new Uint8Array([0xff, 0xfe, 0x7b, 0x00])).code).toBe("json.encoding");
  });

  it("rejects bytes that are not UTF-8", () => {
    const error = rejection(new Uint8Array([0x22, 0xe9, 0x22]));
    expect(error.code).toBe("json.encoding");
  });

  it("reports syntax errors with line and column", () => {
    const error = rejection('{\n  "a": 1,\n  "b": tru\n}');
    expect(error.code).toBe("json.syntax");
    expect(error.line).toBe(3);
    expect(error.column).toBe(8);
    expect(error.message).toContain("line 3, column 8");
    expect(error.pointer).toBe("/b");
  });

  it("rejects the usual syntax errors", () => {
    const cases = [
      "{",
      "[1,]",
      '{"a":1,}',
      "{'a':1}",
      "[1 2]",
      '"abc',
      '"a\\x"',
      '"\\u12g4"',
      "01",
      "1.",
      "-",
      "1e",
      "{} {}",
      '"tab\there"',
      "undefined",
    ];
    for (const text of cases) {
      expect(rejection(text).code, text).toBe("json.syntax");
    }
  });

  it("rejects NaN, Infinity and overflowing numbers", () => {
    for (const text of ["NaN", "[Infinity]", '{"a":-Infinity}', "1e400", "-1e309"]) {
      expect(rejection(text).code, text).toBe("json.non_finite");
    }
    expect(rejection('{"value": NaN}').pointer).toBe("/value");
  });

  it("rejects duplicate keys with their pointer", () => {
    const error = rejection('{"results":[{"metric":"a","metric":"b"}]}');
    expect(error.code).toBe("json.duplicate_key");
    expect(error.pointer).toBe("/results/0/metric");
    expect(error.value).toBe("metric");
  });

  it("accepts equal keys in different objects", () => {
    expect(parseJsonDocument('[{"a":1},{"a":2}]')).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it("rejects prototype keys without polluting prototypes", () => {
    for (const key of ["__proto__", "constructor", "prototype"]) {
      const error = rejection(`{"outer":{"${key}":{"polluted":true}}}`);
      expect(error.code).toBe("json.forbidden_key");
      expect(error.pointer).toBe(`/outer/${key}`);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("polluted");
  });

  it("rejects an escaped __proto__ key", () => {
    expect(rejection('{"\\u005f_proto__":{"polluted":true}}').code).toBe("json.forbidden_key");
  });

  it("rejects nesting beyond the depth limit", () => {
    expect(parseJsonDocument(`${"[".repeat(64)}${"]".repeat(64)}`)).toBeDefined();
    const error = rejection(`${"[".repeat(65)}${"]".repeat(65)}`);
    expect(error.code).toBe("json.too_deep");
    expect(rejection('{"a":{"b":{}}}', { maxDepth: 2 }).pointer).toBe("/a/b");
  });

  it("rejects 100,000 levels of nesting quickly and without recursion", () => {
    const deep = `${'{"a":['.repeat(50_000)}${"]}".repeat(50_000)}`;
    const started = performance.now();
    const error = rejection(deep);
    expect(error.code).toBe("json.too_deep");
    expect(performance.now() - started).toBeLessThan(1000);
    // With the limit lifted, the same document parses: the parser keeps its own stack.
    expect(() => parseJsonDocument(deep, { maxDepth: 200_000 })).not.toThrow();
  });

  it("refuses a 50 MB document before parsing it", () => {
    const bytes = new Uint8Array(50 * 1024 * 1024).fill(0x20);
    bytes[0] = 0x5b;
    let started = performance.now();
    const error = rejection(bytes);
    expect(error.code).toBe("json.too_large");
    expect(error.value).toBe(bytes.length);
    expect(performance.now() - started).toBeLessThan(100);

    const text = `[${" ".repeat(50 * 1024 * 1024)}]`;
    started = performance.now();
    expect(rejection(text).code).toBe("json.too_large");
    expect(performance.now() - started).toBeLessThan(100);
  });

  it("counts the size limit in UTF-8 bytes", () => {
    const text = JSON.stringify("é".repeat(600));
    expect(parseJsonDocument(text, { maxBytes: 1202 })).toBe("é".repeat(600));
    expect(rejection(text, { maxBytes: 1201 }).code).toBe("json.too_large");
  });

  it("parses a 10 MB document within seconds", () => {
    const items = Array.from({ length: 100_000 }, (_, index) => ({
      item: `item-${index}`,
      score: index % 3,
      note: "x".repeat(40),
    }));
    const text = JSON.stringify({ items });
    expect(text.length).toBeGreaterThan(7_000_000);
    const started = performance.now();
    const parsed = parseJsonDocument(text) as { items: unknown[] };
    expect(parsed.items).toHaveLength(100_000);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
