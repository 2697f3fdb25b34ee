import { describe, expect, it } from "vitest";
import { CsvSyntaxError, parseCsv } from "../../../src/suites/refusal-calibration/csv.js";

describe("parseCsv", () => {
  it("reads quoted fields with commas, quotes and line breaks", () => {
    const text = 'id,completion\n1,"Yes, ""quoted"" text\nsecond line"\n2,plain\n';
    const table = parseCsv(text, "test.csv");
    expect(table.header).toEqual(["id", "completion"]);
    expect(table.rows).toHaveLength(2);
    expect(table.rows[0]?.fields.completion).toBe('Yes, "quoted" text\nsecond line');
    expect(table.rows[1]?.fields.completion).toBe("plain");
    expect(table.rows[1]?.line).toBe(4);
  });

  it("accepts CRLF, a byte-order mark and no final newline", () => {
    const table = parseCsv('\uFEFFid,prompt\r\n1,"a\r\nb"\r\n2,c', "test.csv");
    expect(table.header).toEqual(["id", "prompt"]);
    expect(table.rows.map((row) => row.fields.prompt)).toEqual(["a\r\nb", "c"]);
  });

  it("keeps empty quoted and unquoted fields", () => {
    const table = parseCsv('a,b,c\n"",,x\n', "test.csv");
    expect(table.rows[0]?.fields).toEqual({ a: "", b: "", c: "x" });
  });

  it("rejects a row with a different field count", () => {
    expect(() => parseCsv("a,b\n1,2,3\n", "test.csv")).toThrow(CsvSyntaxError);
    expect(() => parseCsv("a,b\n1,2,3\n", "test.csv")).toThrow(/line 2: expected 2 fields/);
  });

  it("rejects an unclosed quote with its line", () => {
    expect(() => parseCsv('a,b\n1,"open\n\n', "test.csv")).toThrow(
      /line 2: a quoted field is never closed/,
    );
  });

  it("rejects text after a closing quote", () => {
    expect(() => parseCsv('a,b\n"x"y,2\n', "test.csv")).toThrow(/text after the closing quote/);
  });

  it("rejects a quote inside an unquoted field", () => {
    expect(() => parseCsv('a,b\nx"y,2\n', "test.csv")).toThrow(
      /double quote inside the unquoted field/,
    );
  });

  it("rejects an empty file and a repeated column", () => {
    expect(() => parseCsv("", "test.csv")).toThrow(/the file is empty/);
    expect(() => parseCsv("id,id\n1,2\n", "test.csv")).toThrow(/column "id" appears twice/);
  });
});
