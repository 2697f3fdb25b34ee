import { quote } from "../errors.js";
import type { ActivationDtype } from "./dtypes.js";
import { ActivationFileError } from "./errors.js";
import { checkMatrixShape, readExactly, type TensorLayout } from "./layout.js";

/**
 * Largest header the reader accepts, in bytes. The reference safetensors
 * implementation rejects headers over 100,000,000 bytes. A header that large
 * already describes millions of tensors, so a larger length means a corrupt
 * or hostile file.
 */
export const SAFETENSORS_MAX_HEADER_BYTES = 100_000_000;

/** Element sizes of every safetensors dtype, so offsets of tensors we do not read are checked too. */
const ELEMENT_BYTES: Record<string, number> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
};

const SUPPORTED: Record<string, ActivationDtype> = {
  F32: "float32",
  F16: "float16",
  BF16: "bfloat16",
};

interface TensorEntry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * Parses a safetensors header and returns the layout of one tensor.
 *
 * The file is an 8-byte little-endian header length N, N bytes of JSON, then
 * a data buffer. Every tensor's `data_offsets` are relative to that buffer.
 * As in the reference implementation, tensors must tile the buffer exactly,
 * with no gap, overlap or trailing byte.
 */
export function readSafetensorsLayout(
  fd: number,
  path: string,
  fileBytes: number,
  tensorName: string | undefined,
): TensorLayout {
  const headerLength = Number(readExactly(fd, path, 8, 0).readBigUInt64LE(0));
  if (headerLength > SAFETENSORS_MAX_HEADER_BYTES) {
    throw new ActivationFileError(
      "probe.activations.header_too_large",
      path,
      `${quote(path)} declares a safetensors header of ${headerLength} bytes, over the limit of ${SAFETENSORS_MAX_HEADER_BYTES}`,
      { hint: "The file is corrupt or not a safetensors file." },
    );
  }
  if (8 + headerLength > fileBytes) {
    throw new ActivationFileError(
      "probe.activations.truncated",
      path,
      `${quote(path)} declares a safetensors header of ${headerLength} bytes, but the file has only ${fileBytes} bytes`,
      { hint: "The file is truncated or not a safetensors file." },
    );
  }

  const headerText = readExactly(fd, path, headerLength, 8).toString("utf8");
  let header: unknown;
  try {
    header = JSON.parse(headerText);
  } catch (error) {
    throw new ActivationFileError(
      "probe.activations.header",
      path,
      `${quote(path)} has a safetensors header that is not valid JSON: ${(error as Error).message}`,
      { hint: "The file is corrupt or not a safetensors file.", cause: error },
    );
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) {
    throw headerError(path, "the header is not a JSON object");
  }

  const bufferBytes = fileBytes - 8 - headerLength;
  const entries = parseEntries(path, header as Record<string, unknown>);
  checkTiling(path, entries, bufferBytes);

  const entry = selectTensor(path, entries, tensorName);
  const dtype = SUPPORTED[entry.dtype];
  if (dtype === undefined) {
    throw new ActivationFileError(
      "probe.activations.dtype",
      path,
      `tensor ${quote(entry.name)} in ${quote(path)} has dtype ${quote(entry.dtype)}, but only F32, F16 and BF16 are supported`,
      { hint: "Save activations as float32, float16 or bfloat16." },
    );
  }
  const [rows, dims] = checkMatrixShape(path, entry.shape);
  return {
    format: "safetensors",
    dtype,
    storedDtype: entry.dtype,
    rows,
    dims,
    dataOffset: 8 + headerLength + entry.begin,
    dataBytes: entry.end - entry.begin,
    fileBytes,
    tensor: entry.name,
  };
}

function headerError(path: string, detail: string): ActivationFileError {
  return new ActivationFileError(
    "probe.activations.header",
    path,
    `${quote(path)} has an invalid safetensors header: ${detail}`,
    { hint: "The file is corrupt or was not written by a safetensors library." },
  );
}

function parseEntries(path: string, header: Record<string, unknown>): TensorEntry[] {
  const entries: TensorEntry[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === "__metadata__") {
      continue;
    }
    if (typeof value !== "object" || value === null) {
      throw headerError(path, `entry ${quote(name)} is not an object`);
    }
    const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
    if (typeof dtype !== "string") {
      throw headerError(path, `entry ${quote(name)} has no dtype string`);
    }
    if (!Array.isArray(shape) || !shape.every((size) => Number.isSafeInteger(size) && size >= 0)) {
      throw headerError(
        path,
        `entry ${quote(name)} has shape ${quote(shape)}, not a list of sizes`,
      );
    }
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((offset) => Number.isSafeInteger(offset) && offset >= 0) ||
      offsets[0] > offsets[1]
    ) {
      throw headerError(
        path,
        `entry ${quote(name)} has data_offsets ${quote(offsets)}, not [begin, end]`,
      );
    }
    const [begin, end] = offsets as [number, number];
    const elementBytes = ELEMENT_BYTES[dtype];
    if (elementBytes !== undefined) {
      const expected = (shape as number[]).reduce((product, size) => product * size, elementBytes);
      if (end - begin !== expected) {
        throw headerError(
          path,
          `entry ${quote(name)} spans ${end - begin} bytes, but shape ${quote(shape)} of ${dtype} needs ${expected}`,
        );
      }
    }
    entries.push({ name, dtype, shape: shape as number[], begin, end });
  }
  return entries;
}

/** Checks that tensors cover the data buffer exactly, as the reference implementation requires. */
function checkTiling(path: string, entries: TensorEntry[], bufferBytes: number): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let position = 0;
  for (const entry of sorted) {
    if (entry.begin !== position) {
      throw headerError(
        path,
        `entry ${quote(entry.name)} begins at byte ${entry.begin} of the data buffer, but the previous tensor ends at ${position}`,
      );
    }
    position = entry.end;
  }
  if (position > bufferBytes) {
    throw new ActivationFileError(
      "probe.activations.truncated",
      path,
      `${quote(path)} is truncated: its tensors need a data buffer of ${position} bytes, but only ${bufferBytes} follow the header`,
      { hint: "Write or copy the file again completely." },
    );
  }
  if (position < bufferBytes) {
    throw headerError(
      path,
      `the tensors end at byte ${position} of the data buffer, but ${bufferBytes - position} more bytes follow`,
    );
  }
}

function selectTensor(
  path: string,
  entries: TensorEntry[],
  tensorName: string | undefined,
): TensorEntry {
  const names = entries.map((entry) => entry.name);
  if (tensorName !== undefined) {
    const found = entries.find((entry) => entry.name === tensorName);
    if (found === undefined) {
      throw new ActivationFileError(
        "probe.activations.tensor_not_found",
        path,
        `${quote(path)} has no tensor named ${quote(tensorName)}`,
        { hint: `Tensors in the file: ${quote(names.join(", "), 300)}.` },
      );
    }
    return found;
  }
  if (entries.length !== 1) {
    throw new ActivationFileError(
      "probe.activations.tensor_ambiguous",
      path,
      `${quote(path)} has ${entries.length} tensors, so the one to read must be named`,
      { hint: `Pass --tensor with one of: ${quote(names.join(", "), 300)}.` },
    );
  }
  return entries[0] as TensorEntry;
}
