import { createHash } from "node:crypto";

/** Formats a lowercase hex sha256 as the report format's digest string. */
export function sha256Digest(hex: string): string {
  return `sha256:${hex}`;
}

/**
 * Serialises a JSON value with object keys sorted by UTF-16 code units and no
 * whitespace. For the values probe artifacts hold (finite numbers, strings,
 * booleans, null, arrays, objects) this is the JSON Canonicalization Scheme
 * (RFC 8785), whose number format is ECMAScript's, so other languages can
 * recompute the digest.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && !Number.isFinite(value)) {
      throw new TypeError(`canonical JSON cannot hold the number ${value}`);
    }
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map((item) => canonicalJson(item)).join(",")}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Encodes float64 values as base64 of their little-endian bytes, which round-trips exactly. */
export function encodeFloat64(values: Float64Array): string {
  const bytes = Buffer.alloc(values.length * 8);
  for (let i = 0; i < values.length; i++) {
    bytes.writeDoubleLE(values[i] as number, i * 8);
  }
  return bytes.toString("base64");
}

/** Decodes base64 little-endian float64 values; returns null when the length is not a multiple of 8. */
export function decodeFloat64(text: string): Float64Array | null {
  const bytes = Buffer.from(text, "base64");
  if (bytes.length % 8 !== 0 || bytes.toString("base64") !== text) {
    return null;
  }
  const values = new Float64Array(bytes.length / 8);
  for (let i = 0; i < values.length; i++) {
    values[i] = bytes.readDoubleLE(i * 8);
  }
  return values;
}
