import { readSync } from "node:fs";
import { quote } from "../errors.js";
import type { ActivationDtype } from "./dtypes.js";
import { ActivationFileError } from "./errors.js";

/** Where a 2-D activation tensor sits in a file, as read from the file's header. */
export interface TensorLayout {
  format: "safetensors" | "npy";
  /** Element type stored in the file; rows are converted to float32 on read. */
  dtype: ActivationDtype;
  /** Element type as the header spells it, for messages and records. */
  storedDtype: string;
  rows: number;
  dims: number;
  /** Absolute byte offset of the tensor's first element. */
  dataOffset: number;
  /** Byte length of the tensor's data: rows × dims × element size. */
  dataBytes: number;
  fileBytes: number;
  /** Tensor name inside a safetensors file; null for .npy. */
  tensor: string | null;
}

/** Reads exactly `length` bytes at `position`, or fails naming the file as truncated. */
export function readExactly(fd: number, path: string, length: number, position: number): Buffer {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const got = readSync(fd, buffer, done, length - done, position + done);
    if (got === 0) {
      throw new ActivationFileError(
        "probe.activations.truncated",
        path,
        `${quote(path)} ends at byte ${position + done}, but ${length} bytes were expected from byte ${position}`,
        { hint: "The file is truncated; write it again or copy it completely." },
      );
    }
    done += got;
  }
  return buffer;
}

/** Checks that a shape is [rows, dims] with positive safe integers. */
export function checkMatrixShape(path: string, shape: unknown): [number, number] {
  const valid =
    Array.isArray(shape) &&
    shape.length === 2 &&
    shape.every((size) => Number.isSafeInteger(size) && size > 0);
  if (!valid) {
    throw new ActivationFileError(
      "probe.activations.shape",
      path,
      `${quote(path)} has shape ${quote(shape)}, but activations must be a 2-D [rows, dims] tensor with both sizes at least 1`,
      { hint: "Save one layer's activations as a matrix with one row per token." },
    );
  }
  return [shape[0] as number, shape[1] as number];
}
