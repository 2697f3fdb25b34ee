import { endianness } from "node:os";

/** Element types the activation readers accept; every one is converted to float32. */
export type ActivationDtype = "float32" | "float16" | "bfloat16";

export const BYTES_PER_ELEMENT: Record<ActivationDtype, number> = {
  float32: 4,
  float16: 2,
  bfloat16: 2,
};

/**
 * True on little-endian hosts. The readers view file bytes through typed
 * arrays, which use the host byte order, and both formats store little-endian
 * data, so big-endian hosts are rejected instead of read wrongly.
 */
export const HOST_IS_LITTLE_ENDIAN = endianness() === "LE";

let halfTable: Float32Array | undefined;

/** Float32 value of every IEEE 754 binary16 bit pattern; every one is exact in float32. */
function halfToFloatTable(): Float32Array {
  if (halfTable !== undefined) {
    return halfTable;
  }
  const table = new Float32Array(65536);
  for (let bits = 0; bits < 65536; bits++) {
    const sign = bits & 0x8000 ? -1 : 1;
    const exponent = (bits >> 10) & 0x1f;
    const mantissa = bits & 0x3ff;
    let value: number;
    if (exponent === 0) {
      value = mantissa * 2 ** -24;
    } else if (exponent === 31) {
      value = mantissa === 0 ? Number.POSITIVE_INFINITY : Number.NaN;
    } else {
      value = (1 + mantissa / 1024) * 2 ** (exponent - 15);
    }
    table[bits] = sign * value;
  }
  halfTable = table;
  return table;
}

/**
 * Converts `count` elements of `dtype` from `source` (host byte order, which
 * must be little-endian) into `target` starting at `targetOffset`.
 * `source` must start on an address aligned for its element size.
 */
export function decodeElements(
  dtype: ActivationDtype,
  source: Uint8Array,
  count: number,
  target: Float32Array,
  targetOffset: number,
): void {
  if (dtype === "float32") {
    target.set(new Float32Array(source.buffer, source.byteOffset, count), targetOffset);
    return;
  }
  const halves = new Uint16Array(source.buffer, source.byteOffset, count);
  if (dtype === "float16") {
    const table = halfToFloatTable();
    for (let i = 0; i < count; i++) {
      target[targetOffset + i] = table[halves[i] as number] as number;
    }
    return;
  }
  // bfloat16 is the upper half of a float32, so shifting the bits back is exact.
  const words = new Uint32Array(target.buffer, target.byteOffset + targetOffset * 4, count);
  for (let i = 0; i < count; i++) {
    words[i] = (halves[i] as number) << 16;
  }
}
