import { closeSync, openSync, writeSync } from "node:fs";

/**
 * Synthetic activations with a planted direction, written in the formats the
 * probe readers accept. Everything is seeded, so every run writes the same bytes.
 */

/** Deterministic normal generator: xoshiro128** for uniforms, Box–Muller for normals. */
export class Gaussian {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | null = null;

  constructor(seed: number) {
    // splitmix32 spreads one seed over the four state words.
    let x = seed >>> 0;
    const next = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** Uniform on (0, 1). */
  uniform(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return (result + 0.5) / 2 ** 32;
  }

  normal(): number {
    if (this.spare !== null) {
      const value = this.spare;
      this.spare = null;
      return value;
    }
    const radius = Math.sqrt(-2 * Math.log(this.uniform()));
    const angle = 2 * Math.PI * this.uniform();
    this.spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** A planted problem: raw features x = m + s ∘ (a·u + ε), ε ~ N(0, I), a = ±Δ/2 by class. */
export interface Planted {
  dims: number;
  /** Unit direction in whitened coordinates. */
  direction: Float64Array;
  featureMean: Float64Array;
  featureScale: Float64Array;
  /** Distance between the class means along the direction, per token, in noise units. */
  separation: number;
}

export function plantProblem(dims: number, separation: number, seed: number): Planted {
  const random = new Gaussian(seed);
  const direction = new Float64Array(dims);
  let norm = 0;
  for (let j = 0; j < dims; j++) {
    direction[j] = random.normal();
    norm += (direction[j] as number) ** 2;
  }
  for (let j = 0; j < dims; j++) {
    direction[j] = (direction[j] as number) / Math.sqrt(norm);
  }
  const featureMean = new Float64Array(dims);
  const featureScale = new Float64Array(dims);
  for (let j = 0; j < dims; j++) {
    featureMean[j] = 2 * random.normal();
    featureScale[j] = 0.5 + 1.5 * random.uniform();
  }
  return { dims, direction, featureMean, featureScale, separation };
}

export interface ResponseSpec {
  transcriptId: string;
  responseId?: string;
  /** Class sign: +1 positive (deceptive), −1 negative (honest or control). */
  sign: 1 | -1;
  label: string | null;
  set: string;
}

export interface GeneratedSet {
  rows: Float32Array;
  rowCount: number;
  index: string;
}

/**
 * Generates `promptTokens` prompt rows and `responseTokens` response rows per
 * response. Prompt rows are shifted by +4 along the direction, so a reader that
 * scored them as response tokens would push every response towards positive.
 */
export function generateRows(
  planted: Planted,
  responses: readonly ResponseSpec[],
  responseTokens: number,
  promptTokens: number,
  seed: number,
): GeneratedSet {
  const random = new Gaussian(seed);
  const { dims, direction, featureMean, featureScale, separation } = planted;
  const perResponse = responseTokens + promptTokens;
  const rowCount = responses.length * perResponse;
  const rows = new Float32Array(rowCount * dims);
  const lines: string[] = [];
  let row = 0;
  for (const response of responses) {
    for (let token = 0; token < perResponse; token++) {
      const inResponse = token >= promptTokens;
      const shift = inResponse ? (response.sign * separation) / 2 : 4;
      for (let j = 0; j < dims; j++) {
        const whitened = shift * (direction[j] as number) + random.normal();
        rows[row * dims + j] = (featureMean[j] as number) + (featureScale[j] as number) * whitened;
      }
      lines.push(
        JSON.stringify({
          transcript_id: response.transcriptId,
          ...(response.responseId === undefined ? {} : { response_id: response.responseId }),
          token_position: token,
          in_response: inResponse,
          label: response.label,
          set: response.set,
        }),
      );
      row++;
    }
  }
  return { rows, rowCount, index: `${lines.join("\n")}\n` };
}

export type StoredDtype = "float32" | "float16" | "bfloat16";

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Rounds a float32 to bfloat16 bits, to nearest with ties to even. */
export function toBfloat16(value: number): number {
  f32[0] = value;
  const bits = u32[0] as number;
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

/** Rounds a float32 to IEEE binary16 bits, to nearest with ties to even. */
export function toFloat16(value: number): number {
  f32[0] = value;
  const x = u32[0] as number;
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;

  if (exponent === 0xff) {
    return sign | 0x7c00 | (mantissa === 0 ? 0 : 0x200);
  }
  const e = exponent - 127 + 15;

  if (e >= 0x1f) {
    return sign | 0x7c00;
  }
  if (e <= 0) {
    if (e < -10) {
      return sign;
    }
    mantissa |= 0x800000;
    const shift = 14 - e;
    let half = mantissa >>> shift;
    const remainder = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (remainder > halfway || (remainder === halfway && (half & 1) === 1)) {
      half++;
    }
    return sign | half;
  }

  let half = (e << 10) | (mantissa >>> 13);
  const remainder = mantissa & 0x1fff;
  if (remainder > 0x1000 || (remainder === 0x1000 && (half & 1) === 1)) {
    half++;
  }
  return sign | half;
}

/** Encodes float32 rows as little-endian bytes of `dtype`. */
export function encodeRows(rows: Float32Array, dtype: StoredDtype): Uint8Array {
  if (dtype === "float32") {
    return new Uint8Array(rows.buffer.slice(rows.byteOffset, rows.byteOffset + rows.byteLength));
  }
  const out = new Uint16Array(rows.length);
  const convert = dtype === "float16" ? toFloat16 : toBfloat16;
  for (let i = 0; i < rows.length; i++) {
    out[i] = convert(rows[i] as number);
  }
  return new Uint8Array(out.buffer);
}

const SAFETENSORS_DTYPES: Record<StoredDtype, string> = {
  float32: "F32",
  float16: "F16",
  bfloat16: "BF16",
};

/** Builds a safetensors header (length prefix included) for named tensors laid out in order. */
export function safetensorsHeader(
  tensors: readonly { name: string; dtype: string; shape: number[]; bytes: number }[],
  metadata?: Record<string, string>,
): Buffer {
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    header.__metadata__ = metadata;
  }
  let offset = 0;
  for (const tensor of tensors) {
    header[tensor.name] = {
      dtype: tensor.dtype,
      shape: tensor.shape,
      data_offsets: [offset, offset + tensor.bytes],
    };
    offset += tensor.bytes;
  }
  let json = JSON.stringify(header);
  // The reference writer pads the header with spaces to a multiple of 8 bytes.
  json += " ".repeat((8 - (json.length % 8)) % 8);
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  return Buffer.concat([prefix, Buffer.from(json)]);
}

export function safetensorsFile(
  rows: Float32Array,
  rowCount: number,
  dims: number,
  dtype: StoredDtype,
  name = "activations",
): Buffer {
  const data = encodeRows(rows.subarray(0, rowCount * dims), dtype);
  const header = safetensorsHeader([
    { name, dtype: SAFETENSORS_DTYPES[dtype], shape: [rowCount, dims], bytes: data.length },
  ]);
  return Buffer.concat([header, data]);
}

/** Builds a .npy header of the given format version for a descr and shape, as numpy.save lays it out. */
export function npyHeader(
  descr: string,
  shape: number[],
  options: { version?: 1 | 2 | 3; fortranOrder?: boolean } = {},
): Buffer {
  const version = options.version ?? 1;
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let dict = `{'descr': '${descr}', 'fortran_order': ${options.fortranOrder === true ? "True" : "False"}, 'shape': ${shapeText}, }`;
  const prefixBytes = 6 + 2 + (version === 1 ? 2 : 4);
  // numpy pads with spaces and a final newline so the data starts on a 64-byte boundary.
  const total = Math.ceil((prefixBytes + dict.length + 1) / 64) * 64;
  dict += `${" ".repeat(total - prefixBytes - dict.length - 1)}\n`;
  const prefix = Buffer.alloc(prefixBytes);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]).copy(prefix);
  if (version === 1) {
    prefix.writeUInt16LE(dict.length, 8);
  } else {
    prefix.writeUInt32LE(dict.length, 8);
  }
  return Buffer.concat([prefix, Buffer.from(dict, "latin1")]);
}

const NPY_DESCRS: Record<StoredDtype, string> = { float32: "<f4", float16: "<f2", bfloat16: "<V2" };

export function npyFile(
  rows: Float32Array,
  rowCount: number,
  dims: number,
  dtype: StoredDtype,
  options: { version?: 1 | 2 | 3; descr?: string } = {},
): Buffer {
  const data = encodeRows(rows.subarray(0, rowCount * dims), dtype);
  return Buffer.concat([
    npyHeader(options.descr ?? NPY_DESCRS[dtype], [rowCount, dims], options),
    data,
  ]);
}

/** Writes a large float32 .npy file block by block, so the whole matrix never sits in memory. */
export function writeNpyStreaming(
  path: string,
  rowCount: number,
  dims: number,
  fillBlock: (start: number, count: number, block: Float32Array) => void,
  blockRows = 4096,
): void {
  const fd = openSync(path, "w");
  try {
    writeSync(fd, npyHeader("<f4", [rowCount, dims]));
    const block = new Float32Array(blockRows * dims);
    for (let start = 0; start < rowCount; start += blockRows) {
      const count = Math.min(blockRows, rowCount - start);
      fillBlock(start, count, block);
      writeSync(fd, new Uint8Array(block.buffer, 0, count * dims * 4));
    }
  } finally {
    closeSync(fd);
  }
}
