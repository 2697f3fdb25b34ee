import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ActivationFile } from "../../src/probes/activation-file.js";
import {
  checkIndexMatches,
  parseIndexLines,
  readActivationIndex,
} from "../../src/probes/activation-index.js";
import { parsePythonLiteral } from "../../src/probes/npy.js";
import {
  encodeRows,
  npyFile,
  npyHeader,
  type StoredDtype,
  safetensorsFile,
  safetensorsHeader,
  toBfloat16,
  toFloat16,
} from "./synthetic.js";

const folder = mkdtempSync(join(tmpdir(), "candor-probe-readers-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function write(name: string, content: Uint8Array | string): string {
  const path = join(folder, name);
  writeFileSync(path, content);
  return path;
}

/** Values exactly representable in float16 and bfloat16: multiples of 1/8 in [-8, 8). */
function exactMatrix(rows: number, dims: number): Float32Array {
  const values = new Float32Array(rows * dims);
  for (let i = 0; i < values.length; i++) {
    values[i] = (((i * 37) % 128) - 64) / 8;
  }
  return values;
}

function expectCode(action: () => unknown, code: string, messagePart?: string): void {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected an error with code ${code}`).toBeInstanceOf(Error);
  expect((caught as { code?: string }).code).toBe(code);
  if (messagePart !== undefined) {
    expect((caught as Error).message).toContain(messagePart);
  }
}

const dtypes: StoredDtype[] = ["float32", "float16", "bfloat16"];

describe("activation readers", () => {
  const rows = 37;
  const dims = 12;
  const matrix = exactMatrix(rows, dims);

  for (const dtype of dtypes) {
    for (const format of ["safetensors", "npy"] as const) {
      it(`reads ${format} ${dtype} exactly`, () => {
        const bytes =
          format === "safetensors"
            ? safetensorsFile(matrix, rows, dims, dtype)
            : npyFile(matrix, rows, dims, dtype);
        const path = write(`exact-${dtype}.${format}`, bytes);
        const file = ActivationFile.open(path);
        try {
          expect(file.rows).toBe(rows);
          expect(file.dims).toBe(dims);
          expect(file.layout.dtype).toBe(dtype);
          const all = new Float32Array(rows * dims);
          file.readRows(0, rows, all);
          expect(Array.from(all)).toEqual(Array.from(matrix));

          const part = new Float32Array(5 * dims);
          file.readRows(30, 5, part);
          expect(Array.from(part)).toEqual(Array.from(matrix.subarray(30 * dims, 35 * dims)));

          // Streaming in blocks of 8 visits every row once and hashes the whole file.
          const hash = createHash("sha256");
          const seen = new Float32Array(rows * dims);
          file.forEachBlock(8, (start, _count, block) => seen.set(block, start * dims), hash);
          expect(Array.from(seen)).toEqual(Array.from(matrix));
          expect(hash.digest("hex")).toBe(createHash("sha256").update(bytes).digest("hex"));
        } finally {
          file.close();
        }
      });
    }
  }

  for (const version of [2, 3] as const) {
    it(`reads npy format version ${version}`, () => {
      const path = write(`v${version}.npy`, npyFile(matrix, rows, dims, "float32", { version }));
      const file = ActivationFile.open(path);
      const out = new Float32Array(rows * dims);
      file.readRows(0, rows, out);
      file.close();
      expect(Array.from(out)).toEqual(Array.from(matrix));
    });
  }

  it("reads bfloat16 npy payloads declared as uint16", () => {
    const data = encodeRows(matrix, "bfloat16");
    for (const descr of ["<u2", "<i2"]) {
      const path = write(
        `payload-${descr.slice(1)}.npy`,
        Buffer.concat([npyHeader(descr, [rows, dims]), data]),
      );
      expectCode(() => ActivationFile.open(path), "probe.activations.dtype", "bfloat16");
      const file = ActivationFile.open(path, { npyPayload: "bfloat16" });
      const out = new Float32Array(rows * dims);
      file.readRows(0, rows, out);
      file.close();
      expect(Array.from(out)).toEqual(Array.from(matrix));
    }
  });

  it("rounds float16 and bfloat16 to nearest", () => {
    expect(toFloat16(1)).toBe(0x3c00);
    expect(toFloat16(65504)).toBe(0x7bff);
    expect(toFloat16(1e6)).toBe(0x7c00);
    expect(toFloat16(2 ** -24)).toBe(0x0001);
    expect(toBfloat16(1)).toBe(0x3f80);
    expect(toBfloat16(-2.5)).toBe(0xc020);
  });

  it("selects one tensor from several", () => {
    const a = encodeRows(matrix, "float32");
    const b = encodeRows(
      matrix.map((value) => value * 2),
      "float32",
    );
    const header = safetensorsHeader([
      { name: "layer.3", dtype: "F32", shape: [rows, dims], bytes: a.length },
      { name: "layer.7", dtype: "F32", shape: [rows, dims], bytes: b.length },
    ]);
    const path = write("two.safetensors", Buffer.concat([header, a, b]));
    expectCode(() => ActivationFile.open(path), "probe.activations.tensor_ambiguous", "2 tensors");
    expectCode(
      () => ActivationFile.open(path, { tensor: "layer.9" }),
      "probe.activations.tensor_not_found",
    );
    const file = ActivationFile.open(path, { tensor: "layer.7" });
    const out = new Float32Array(rows * dims);
    file.readRows(0, rows, out);
    file.close();
    expect(out[5]).toBe((matrix[5] as number) * 2);
  });
});

describe("activation readers reject bad files", () => {
  const rows = 4;
  const dims = 3;
  const matrix = exactMatrix(rows, dims);

  it("rejects a truncated safetensors file", () => {
    const bytes = safetensorsFile(matrix, rows, dims, "float32");
    const path = write("truncated.safetensors", bytes.subarray(0, bytes.length - 5));
    expectCode(() => ActivationFile.open(path), "probe.activations.truncated", "truncated");
  });

  it("rejects a safetensors header cut short", () => {
    const bytes = safetensorsFile(matrix, rows, dims, "float32");
    const path = write("cut-header.safetensors", bytes.subarray(0, 20));
    expectCode(() => ActivationFile.open(path), "probe.activations.truncated");
  });

  it("rejects a huge safetensors header length", () => {
    const prefix = Buffer.alloc(16);
    prefix.writeBigUInt64LE(2n ** 40n);
    const path = write("huge-header.safetensors", prefix);
    expectCode(
      () => ActivationFile.open(path),
      "probe.activations.header_too_large",
      "1099511627776",
    );
  });

  it("rejects unsupported safetensors dtypes", () => {
    const data = Buffer.alloc(rows * dims * 8);
    const path = write(
      "f64.safetensors",
      Buffer.concat([
        safetensorsHeader([{ name: "x", dtype: "F64", shape: [rows, dims], bytes: data.length }]),
        data,
      ]),
    );
    expectCode(() => ActivationFile.open(path), "probe.activations.dtype", '"F64"');
  });

  it("rejects offsets that disagree with the shape", () => {
    const data = Buffer.alloc(rows * dims * 4);
    const header = safetensorsHeader([
      { name: "x", dtype: "F32", shape: [rows, dims + 1], bytes: data.length },
    ]);
    const path = write("offsets.safetensors", Buffer.concat([header, data]));
    expectCode(() => ActivationFile.open(path), "probe.activations.header", "needs");
  });

  it("rejects trailing bytes after the tensors", () => {
    const bytes = safetensorsFile(matrix, rows, dims, "float32");
    const path = write("trailing.safetensors", Buffer.concat([bytes, Buffer.alloc(4)]));
    expectCode(() => ActivationFile.open(path), "probe.activations.header", "4 more bytes");
  });

  it("rejects a header that is not JSON", () => {
    const prefix = Buffer.alloc(8);
    prefix.writeBigUInt64LE(5n);
    const path = write("not-json.safetensors", Buffer.concat([prefix, Buffer.from("{oops")]));
    expectCode(() => ActivationFile.open(path), "probe.activations.header", "not valid JSON");
  });

  it("rejects tensors that are not matrices", () => {
    const data = encodeRows(matrix, "float32");
    const header = safetensorsHeader([
      { name: "x", dtype: "F32", shape: [1, rows, dims], bytes: data.length },
    ]);
    const path = write("3d.safetensors", Buffer.concat([header, data]));
    expectCode(() => ActivationFile.open(path), "probe.activations.shape", "2-D");
  });

  it("rejects Fortran-order npy files", () => {
    const data = encodeRows(matrix, "float32");
    const path = write(
      "fortran.npy",
      Buffer.concat([npyHeader("<f4", [rows, dims], { fortranOrder: true }), data]),
    );
    expectCode(() => ActivationFile.open(path), "probe.activations.fortran_order", "Fortran");
  });

  it("rejects unsupported npy dtypes", () => {
    for (const [descr, hint] of [
      ["<f8", "float32"],
      [">f4", "little-endian"],
      ["<i4", "float32"],
    ] as const) {
      const path = write(
        `dtype-${descr.replace(/[<>]/, "")}.npy`,
        Buffer.concat([npyHeader(descr, [rows, dims]), Buffer.alloc(rows * dims * 4)]),
      );
      expectCode(() => ActivationFile.open(path), "probe.activations.dtype", descr);
      let hintText = "";
      try {
        ActivationFile.open(path);
      } catch (error) {
        hintText = `${(error as Error).message} ${(error as { hint?: string }).hint}`;
      }
      expect(hintText).toContain(hint);
    }
  });

  it("rejects truncated and oversized npy files", () => {
    const bytes = npyFile(matrix, rows, dims, "float32");
    expectCode(
      () => ActivationFile.open(write("short.npy", bytes.subarray(0, bytes.length - 1))),
      "probe.activations.truncated",
    );
    expectCode(
      () => ActivationFile.open(write("long.npy", Buffer.concat([bytes, Buffer.alloc(3)]))),
      "probe.activations.size",
    );
    expectCode(
      () => ActivationFile.open(write("stub.npy", bytes.subarray(0, 9))),
      "probe.activations.header",
    );
  });

  it("rejects a huge npy header length", () => {
    const prefix = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0, 0, 0, 0, 0]);
    prefix.writeUInt32LE(2 ** 31, 8);
    expectCode(
      () => ActivationFile.open(write("huge-header.npy", prefix)),
      "probe.activations.header_too_large",
    );
  });

  it("rejects NaN and infinity with the row index", () => {
    for (const [dtype, bad] of [
      ["float32", Number.NaN],
      ["float16", Number.POSITIVE_INFINITY],
      ["bfloat16", Number.NaN],
    ] as const) {
      const values = Float32Array.from(matrix);
      values[2 * dims + 1] = bad;
      const path = write(`nan-${dtype}.npy`, npyFile(values, rows, dims, dtype));
      const file = ActivationFile.open(path);
      const out = new Float32Array(rows * dims);
      expectCode(
        () => file.readRows(0, rows, out),
        "probe.activations.non_finite",
        "row 2, column 1",
      );
      file.readRows(0, 2, out);
      file.close();
    }
  });

  it("parses the Python literals numpy writes", () => {
    expect(
      parsePythonLiteral("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }"),
    ).toEqual({
      descr: "<f4",
      fortran_order: false,
      shape: [3, 4],
    });
    expect(parsePythonLiteral("{'shape': (7,), 'x': None, 'y': [1, 'a']}")).toEqual({
      shape: [7],
      x: null,
      y: [1, "a"],
    });
    expect(() => parsePythonLiteral("{'descr': '<f4'")).toThrow(/expected/);
  });
});

describe("activation index", () => {
  const line = (fields: Record<string, unknown>) =>
    JSON.stringify({
      transcript_id: "t1",
      token_position: 0,
      in_response: true,
      label: "honest",
      set: "train",
      ...fields,
    });

  it("parses rows and checks the row count", () => {
    const path = write(
      "index.jsonl",
      `${line({})}\n${line({ token_position: 1, label: null, set: null })}\n`,
    );
    const index = readActivationIndex(path);
    expect(index.rows).toHaveLength(2);
    expect(index.rows[1]).toEqual({
      transcriptId: "t1",
      responseId: null,
      tokenPosition: 1,
      inResponse: true,
      label: null,
      set: null,
    });
    expectCode(
      () => checkIndexMatches(index, "acts.npy", 3),
      "probe.index.row_count",
      "has 2 lines",
    );
    checkIndexMatches(index, "acts.npy", 2);
  });

  it("rejects invalid lines by line number", () => {
    const cases: [string, string][] = [
      [line({ transcript_id: 5 }), "transcript_id"],
      [line({ token_position: -1 }), "token_position"],
      [line({ in_response: "yes" }), "in_response"],
      [line({ label: 3 }), "label"],
      ["not json", "not valid JSON"],
      ["[1, 2]", "not a JSON object"],
    ];
    for (const [bad, part] of cases) {
      expectCode(
        () => parseIndexLines("index.jsonl", `${line({})}\n${bad}\n`),
        "probe.index.invalid",
        `line 2`,
      );
      expectCode(
        () => parseIndexLines("index.jsonl", `${line({})}\n${bad}\n`),
        "probe.index.invalid",
        part,
      );
    }
  });

  it("rejects duplicate token positions", () => {
    expectCode(
      () => parseIndexLines("index.jsonl", `${line({})}\n${line({})}\n`),
      "probe.index.invalid",
      "appears twice",
    );
  });
});
