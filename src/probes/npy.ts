import { quote } from "../errors.js";
import type { ActivationDtype } from "./dtypes.js";
import { ActivationFileError } from "./errors.js";
import { checkMatrixShape, readExactly, type TensorLayout } from "./layout.js";

/**
 * Largest .npy header the reader accepts, in bytes. A 2-D numeric array
 * needs under 200; NumPy itself refuses headers over 10,000 bytes unless told
 * otherwise, and this limit is looser only to accept padded headers.
 */
export const NPY_MAX_HEADER_BYTES = 65_536;

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);

/**
 * How a 2-byte payload without a float descr is to be read. NumPy has no
 * bfloat16 type, so tools save bfloat16 either through ml_dtypes (descr
 * '<V2') or as raw bits viewed as uint16 or int16 ('<u2', '<i2').
 */
export type NpyPayloadDtype = "bfloat16";

/**
 * Maps a descr to a dtype. Accepted: '<f4' (float32), '<f2' (float16),
 * 'bfloat16' (bfloat16 named directly), '<V2' or '|V2' (how NumPy records an
 * ml_dtypes bfloat16 array, the only 2-byte ml_dtypes type), and '<u2', '<i2'
 * or '|V2' only when the caller declares the payload bfloat16.
 */
function dtypeForDescr(
  path: string,
  descr: string,
  payload: NpyPayloadDtype | undefined,
): ActivationDtype {
  const isVoid2 = descr === "<V2" || descr === "|V2";
  const isInt2 = descr === "<u2" || descr === "<i2";
  if (payload === "bfloat16") {
    if (isVoid2 || isInt2 || descr === "bfloat16") {
      return "bfloat16";
    }
    throw new ActivationFileError(
      "probe.activations.dtype",
      path,
      `${quote(path)} has descr ${quote(descr)}, but a bfloat16 payload must be stored as '<u2', '<i2' or '<V2'`,
      { hint: "Drop the bfloat16 payload option for float files." },
    );
  }
  if (descr === "<f4") {
    return "float32";
  }
  if (descr === "<f2") {
    return "float16";
  }
  if (descr === "bfloat16" || isVoid2) {
    return "bfloat16";
  }
  if (isInt2) {
    throw new ActivationFileError(
      "probe.activations.dtype",
      path,
      `${quote(path)} has descr ${quote(descr)}: 16-bit integers are read only as a declared bfloat16 payload`,
      { hint: "If the integers are bfloat16 bits, pass --npy-payload bfloat16." },
    );
  }
  const bigEndian = descr.startsWith(">");
  throw new ActivationFileError(
    "probe.activations.dtype",
    path,
    `${quote(path)} has descr ${quote(descr)}, but only little-endian '<f4', '<f2' and bfloat16 are supported`,
    {
      hint: bigEndian
        ? "Convert to little-endian first, for example with array.astype('<f4')."
        : "Save activations as float32, float16 or bfloat16.",
    },
  );
}

/**
 * Parses a .npy header (format versions 1.0, 2.0 and 3.0) and returns the
 * array's layout. Only C-order 2-D arrays are accepted, and the file must hold
 * exactly the bytes the header declares.
 */
export function readNpyLayout(
  fd: number,
  path: string,
  fileBytes: number,
  payload: NpyPayloadDtype | undefined,
): TensorLayout {
  const preamble = readExactly(fd, path, Math.min(12, fileBytes), 0);
  if (preamble.length < 10 || !preamble.subarray(0, 6).equals(MAGIC)) {
    throw new ActivationFileError(
      "probe.activations.header",
      path,
      `${quote(path)} does not start with the .npy magic string`,
      { hint: "The file is not a NumPy .npy file, or it is truncated." },
    );
  }
  const major = preamble[6] as number;
  if (major < 1 || major > 3) {
    throw new ActivationFileError(
      "probe.activations.header",
      path,
      `${quote(path)} uses .npy format version ${major}.${preamble[7]}, but only versions 1, 2 and 3 exist`,
      { hint: "Save the array with numpy.save." },
    );
  }
  const lengthBytes = major === 1 ? 2 : 4;
  if (preamble.length < 8 + lengthBytes) {
    throw truncated(path, fileBytes);
  }
  const headerLength = major === 1 ? preamble.readUInt16LE(8) : preamble.readUInt32LE(8);
  if (headerLength > NPY_MAX_HEADER_BYTES) {
    throw new ActivationFileError(
      "probe.activations.header_too_large",
      path,
      `${quote(path)} declares a .npy header of ${headerLength} bytes, over the limit of ${NPY_MAX_HEADER_BYTES}`,
      { hint: "The file is corrupt; a 2-D numeric array needs a header of a few hundred bytes." },
    );
  }
  const headerStart = 8 + lengthBytes;
  if (headerStart + headerLength > fileBytes) {
    throw truncated(path, fileBytes);
  }
  const text = readExactly(fd, path, headerLength, headerStart).toString(
    major === 3 ? "utf8" : "latin1",
  );

  let header: unknown;
  try {
    header = parsePythonLiteral(text);
  } catch (error) {
    throw new ActivationFileError(
      "probe.activations.header",
      path,
      `${quote(path)} has a .npy header that cannot be parsed: ${(error as Error).message}`,
      { hint: "Save the array with numpy.save.", cause: error },
    );
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) {
    throw new ActivationFileError(
      "probe.activations.header",
      path,
      `${quote(path)} has a .npy header that is not a dictionary: ${quote(text)}`,
    );
  }

  const { descr, fortran_order: fortranOrder, shape } = header as Record<string, unknown>;
  if (typeof descr !== "string") {
    throw new ActivationFileError(
      "probe.activations.dtype",
      path,
      `${quote(path)} has descr ${quote(descr)}; structured arrays are not supported`,
      { hint: "Save a plain float32, float16 or bfloat16 matrix." },
    );
  }
  if (fortranOrder !== false) {
    throw new ActivationFileError(
      "probe.activations.fortran_order",
      path,
      `${quote(path)} is stored in Fortran (column-major) order, but rows must be contiguous`,
      { hint: "Save numpy.ascontiguousarray(array) instead, which writes C order." },
    );
  }
  const dtype = dtypeForDescr(path, descr, payload);
  const [rows, dims] = checkMatrixShape(path, Array.isArray(shape) ? shape : [shape]);

  const dataOffset = headerStart + headerLength;
  const dataBytes = rows * dims * (dtype === "float32" ? 4 : 2);
  const available = fileBytes - dataOffset;
  if (available < dataBytes) {
    throw new ActivationFileError(
      "probe.activations.truncated",
      path,
      `${quote(path)} is truncated: shape [${rows}, ${dims}] of ${descr} needs ${dataBytes} data bytes, but the file has ${available}`,
      { hint: "Write or copy the file again completely." },
    );
  }
  if (available > dataBytes) {
    throw new ActivationFileError(
      "probe.activations.size",
      path,
      `${quote(path)} has ${available - dataBytes} bytes after the ${dataBytes} that shape [${rows}, ${dims}] of ${descr} needs`,
      { hint: "The header and the data disagree; write the file again with numpy.save." },
    );
  }
  return {
    format: "npy",
    dtype,
    storedDtype: descr,
    rows,
    dims,
    dataOffset,
    dataBytes,
    fileBytes,
    tensor: null,
  };
}

function truncated(path: string, fileBytes: number): ActivationFileError {
  return new ActivationFileError(
    "probe.activations.truncated",
    path,
    `${quote(path)} has only ${fileBytes} bytes, fewer than its .npy header needs`,
    { hint: "Write or copy the file again completely." },
  );
}

/**
 * Parses the Python literal in a .npy header: dicts, tuples, lists, strings,
 * integers, True, False and None, which is all numpy.save writes.
 */
export function parsePythonLiteral(text: string): unknown {
  let position = 0;

  const skipSpace = () => {
    while (position < text.length && /\s/.test(text[position] as string)) {
      position++;
    }
  };
  const fail = (expected: string): never => {
    throw new Error(`expected ${expected} at character ${position} of ${quote(text)}`);
  };
  const expect = (char: string) => {
    skipSpace();
    if (text[position] !== char) {
      fail(quote(char));
    }
    position++;
  };

  const parseSequence = (close: string): unknown[] => {
    const items: unknown[] = [];
    skipSpace();
    while (text[position] !== close) {
      items.push(parseValue());
      skipSpace();
      if (text[position] === ",") {
        position++;
        skipSpace();
      } else if (text[position] !== close) {
        fail(`"," or ${quote(close)}`);
      }
    }
    position++;
    return items;
  };

  const parseValue = (): unknown => {
    skipSpace();
    const char = text[position];
    if (char === "{") {
      position++;
      const result: Record<string, unknown> = {};
      skipSpace();
      while (text[position] !== "}") {
        const key = parseValue();
        if (typeof key !== "string") {
          fail("a string key");
        }
        expect(":");
        result[key as string] = parseValue();
        skipSpace();
        if (text[position] === ",") {
          position++;
          skipSpace();
        } else if (text[position] !== "}") {
          fail('"," or "}"');
        }
      }
      position++;
      return result;
    }
    if (char === "(") {
      position++;
      return parseSequence(")");
    }
    if (char === "[") {
      position++;
      return parseSequence("]");
    }
    if (char === "'" || char === '"') {
      const end = text.indexOf(char, position + 1);
      if (end < 0) {
        fail("a closing quote");
      }
      const value = text.slice(position + 1, end);
      position = end + 1;
      return value;
    }
    const word = /^(True|False|None|-?[0-9]+L?)/.exec(text.slice(position));
    if (word === null) {
      return fail("a value");
    }
    position += (word[0] as string).length;
    if (word[0] === "True") {
      return true;
    }
    if (word[0] === "False") {
      return false;
    }
    if (word[0] === "None") {
      return null;
    }
    return Number.parseInt(word[0] as string, 10);
  };

  const value = parseValue();
  skipSpace();
  if (position !== text.length) {
    fail("the end of the header");
  }
  return value;
}
