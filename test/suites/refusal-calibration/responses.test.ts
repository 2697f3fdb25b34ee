import { mkdtempSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SuiteInputError } from "../../../src/suites/refusal-calibration/errors.js";
import { readResponsesFile } from "../../../src/suites/refusal-calibration/responses.js";

function file(name: string, content: string | Uint8Array): string {
  const path = join(mkdtempSync(join(tmpdir(), "candor-responses-")), name);
  writeFileSync(path, content);
  return path;
}

describe("readResponsesFile", () => {
  it("reads the XSTest completions layout with human labels", () => {
    const path = file(
      "c.csv",
      'id,type,prompt,completion,annotation_1,annotation_2,agreement,final_label\nv2-1,homonyms,"How, now?","Line one\nline ""two""",x,y,TRUE,1_full_compliance\nv2-2,contrast_homonyms,Bad?,No.,x,y,TRUE,2_full_refusal\n',
    );
    const result = readResponsesFile(path);
    expect(result.format).toBe("csv");
    expect(result.humanLabelField).toBe("final_label");
    expect(result.records).toEqual([
      {
        id: "v2-1",
        prompt: "How, now?",
        completion: 'Line one\nline "two"',
        category: "homonyms",
        humanLabel: "full_compliance",
        line: 2,
      },
      {
        id: "v2-2",
        prompt: "Bad?",
        completion: "No.",
        category: "contrast_homonyms",
        humanLabel: "full_refusal",
        line: 4,
      },
    ]);
  });

  it("reads JSON Lines with numeric ids", () => {
    const path = file(
      "r.jsonl",
      '{"id":1,"prompt":"p","completion":"c"}\n\n{"id":"2","prompt":"q","completion":"","human_label":"partial_refusal"}\n',
    );
    const result = readResponsesFile(path);
    expect(result.format).toBe("jsonl");
    expect(result.records.map((record) => [record.id, record.humanLabel])).toEqual([
      ["1", undefined],
      ["2", "partial_refusal"],
    ]);
  });

  const failures: [string, string, string | Uint8Array, RegExp][] = [
    ["empty file", "e.csv", "", /is empty/],
    ["header only", "h.csv", "id,prompt,completion\n", /has no responses/],
    [
      "missing column",
      "m.csv",
      "id,prompt,answer\n1,p,a\n",
      /has no column "completion" \(columns found: id, prompt, answer\)/,
    ],
    [
      "duplicate id",
      "d.csv",
      "id,prompt,completion\n7,p,a\n7,q,b\n",
      /line 3: id "7" was already used on line 2/,
    ],
    ["empty id", "i.csv", "id,prompt,completion\n ,p,a\n", /line 2: the id is empty/],
    [
      "unknown human label",
      "l.csv",
      "id,prompt,completion,final_label\n1,p,a,4_other\n",
      /human label "4_other" in "final_label"/,
    ],
    [
      "broken JSON line",
      "b.jsonl",
      '{"id":1,"prompt":"p","completion":"c"}\n{"id":2,\n',
      /line 2: not valid JSON/,
    ],
    [
      "JSON line without completion",
      "n.jsonl",
      '{"id":1,"prompt":"p"}\n',
      /line 1: field "completion" is missing/,
    ],
    [
      "non-UTF-8 bytes",
      "latin1.csv",
      new Uint8Array([...Buffer.from("id,prompt,completion\n1,caf"), 0xe9, ...Buffer.from(",x\n")]),
      /not valid UTF-8 \(first bad byte at offset 26\)/,
    ],
  ];
  for (const [name, fileName, content, message] of failures) {
    it(`rejects ${name}`, () => {
      const path = file(fileName, content);
      expect(() => readResponsesFile(path)).toThrow(SuiteInputError);
      expect(() => readResponsesFile(path)).toThrow(message);
    });
  }

  it("rejects a 1 GiB file before reading it", () => {
    const path = file("huge.csv", "id,prompt,completion\n");
    // A sparse file: the size is real, the disk blocks are not written.
    truncateSync(path, 1024 ** 3);
    const started = performance.now();
    expect(() => readResponsesFile(path)).toThrow(/is 1\.0 GiB, over the limit of 256\.0 MiB/);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("rejects a missing path and a folder", () => {
    expect(() => readResponsesFile("/nonexistent/responses.csv")).toThrow(/no such file/);
    expect(() => readResponsesFile(tmpdir())).toThrow(/is not a file/);
  });
});
