import type { Hash } from "node:crypto";
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { quote } from "../errors.js";
import { BYTES_PER_ELEMENT, decodeElements, HOST_IS_LITTLE_ENDIAN } from "./dtypes.js";
import { ActivationFileError } from "./errors.js";
import type { TensorLayout } from "./layout.js";
import { type NpyPayloadDtype, readNpyLayout } from "./npy.js";
import { readSafetensorsLayout } from "./safetensors.js";

export interface OpenActivationsOptions {
  /** Tensor to read from a safetensors file; required when the file contains several. */
  tensor?: string;
  /** Declares the 2-byte payload of a .npy file bfloat16 when its descr does not say so. */
  npyPayload?: NpyPayloadDtype;
}

/** Bytes read per positional read; larger reads gain nothing once the page cache is warm. */
const READ_CHUNK_BYTES = 64 * 1024 * 1024;

/**
 * An open activation file: one 2-D tensor in a safetensors or .npy file,
 * read in row blocks with positional reads so files of any size stream
 * through bounded memory. Rows come back as float32 whatever the stored dtype.
 */
export class ActivationFile {
  readonly path: string;
  readonly layout: TensorLayout;
  private fd: number;
  private scratch: Uint8Array | undefined;

  private constructor(path: string, fd: number, layout: TensorLayout) {
    this.path = path;
    this.fd = fd;
    this.layout = layout;
  }

  /** Opens a file and reads its header; the format is taken from the extension, then the magic bytes. */
  static open(path: string, options: OpenActivationsOptions = {}): ActivationFile {
    if (!HOST_IS_LITTLE_ENDIAN) {
      throw new ActivationFileError(
        "probe.activations.host_endianness",
        path,
        "activation files can be read only on a little-endian host",
      );
    }
    let fd: number;
    try {
      fd = openSync(path, "r");
    } catch (error) {
      throw new ActivationFileError(
        "probe.activations.unreadable",
        path,
        `cannot open activation file ${quote(path)}: ${(error as Error).message}`,
        { hint: "Check the path and the file's permissions.", cause: error },
      );
    }
    try {
      const fileBytes = fstatSync(fd).size;
      const layout = isNpy(fd, path)
        ? readNpyLayout(fd, path, fileBytes, options.npyPayload)
        : readSafetensorsLayout(fd, path, fileBytes, options.tensor);
      if (layout.format === "npy" && options.tensor !== undefined) {
        throw new ActivationFileError(
          "probe.activations.tensor_not_found",
          path,
          `${quote(path)} is a .npy file with one unnamed array, so tensor ${quote(options.tensor)} cannot be selected`,
          { hint: "Drop --tensor for .npy files." },
        );
      }
      return new ActivationFile(path, fd, layout);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  get rows(): number {
    return this.layout.rows;
  }

  get dims(): number {
    return this.layout.dims;
  }

  /**
   * Reads rows [start, start + count) into `target` (at least count × dims
   * long) as float32, and rejects any NaN or infinite value by row index.
   */
  readRows(start: number, count: number, target: Float32Array): void {
    this.readRowsHashing(start, count, target, undefined);
  }

  /** Reads rows like readRows, feeding the stored bytes to `hash` in file order when given. */
  private readRowsHashing(
    start: number,
    count: number,
    target: Float32Array,
    hash: Hash | undefined,
  ): void {
    const { dims, dtype, dataOffset, rows } = this.layout;
    if (start < 0 || count < 0 || start + count > rows) {
      throw new RangeError(`rows [${start}, ${start + count}) are outside [0, ${rows})`);
    }
    const elementBytes = BYTES_PER_ELEMENT[dtype];
    const rowBytes = dims * elementBytes;
    const rowsPerChunk = Math.max(1, Math.floor(READ_CHUNK_BYTES / rowBytes));

    for (let done = 0; done < count; done += rowsPerChunk) {
      const chunkRows = Math.min(rowsPerChunk, count - done);
      const bytes = chunkRows * rowBytes;
      const position = dataOffset + (start + done) * rowBytes;
      // float32 rows go straight into the target; 2-byte types go through an aligned scratch buffer.
      const destination =
        dtype === "float32"
          ? new Uint8Array(target.buffer, target.byteOffset + done * dims * 4, bytes)
          : this.scratchBytes(bytes);
      this.readFully(destination, position);
      hash?.update(destination);
      if (dtype !== "float32") {
        decodeElements(dtype, destination, chunkRows * dims, target, done * dims);
      }
    }
    checkFinite(this.path, target, start, count, dims);
  }

  /**
   * Calls `visit` on every row in order, `blockRows` at a time, with a view
   * that is reused between calls. When `hash` is given, every byte of the
   * file (header and any other tensors included) is fed to it in file order,
   * so one pass yields both the rows and the file's digest.
   */
  forEachBlock(
    blockRows: number,
    visit: (start: number, count: number, block: Float32Array) => void,
    hash?: Hash,
  ): void {
    const { rows, dims, dataOffset, dataBytes, fileBytes } = this.layout;
    if (hash !== undefined) {
      this.hashRange(hash, 0, dataOffset);
    }
    const rowsPerBlock = Math.max(1, Math.min(blockRows, rows));
    const block = new Float32Array(rowsPerBlock * dims);
    for (let start = 0; start < rows; start += rowsPerBlock) {
      const count = Math.min(rowsPerBlock, rows - start);
      this.readRowsHashing(start, count, block, hash);
      visit(start, count, block.subarray(0, count * dims));
    }
    if (hash !== undefined) {
      this.hashRange(hash, dataOffset + dataBytes, fileBytes - dataOffset - dataBytes);
    }
  }

  close(): void {
    if (this.fd >= 0) {
      closeSync(this.fd);
      this.fd = -1;
    }
  }

  private hashRange(hash: Hash, position: number, length: number): void {
    for (let done = 0; done < length; ) {
      const bytes = Math.min(READ_CHUNK_BYTES, length - done);
      const chunk = this.scratchBytes(bytes);
      this.readFully(chunk, position + done);
      hash.update(chunk);
      done += bytes;
    }
  }

  private scratchBytes(bytes: number): Uint8Array {
    if (this.scratch === undefined || this.scratch.length < bytes) {
      this.scratch = new Uint8Array(Math.max(bytes, Math.min(READ_CHUNK_BYTES, 1 << 20)));
    }
    return this.scratch.subarray(0, bytes);
  }

  private readFully(destination: Uint8Array, position: number): void {
    let done = 0;
    while (done < destination.length) {
      const got = readSync(this.fd, destination, done, destination.length - done, position + done);
      if (got === 0) {
        throw new ActivationFileError(
          "probe.activations.truncated",
          this.path,
          `${quote(this.path)} ended at byte ${position + done} while rows were being read`,
          { hint: "The file shrank or was truncated after it was opened; write it again." },
        );
      }
      done += got;
    }
  }
}

function isNpy(fd: number, path: string): boolean {
  if (path.toLowerCase().endsWith(".npy")) {
    return true;
  }
  if (path.toLowerCase().endsWith(".safetensors")) {
    return false;
  }
  const magic = Buffer.alloc(6);
  const got = readSync(fd, magic, 0, 6, 0);
  return got === 6 && magic.toString("latin1") === "\x93NUMPY";
}

/** Rejects NaN and ±Infinity, naming the first offending row and column. */
function checkFinite(
  path: string,
  values: Float32Array,
  firstRow: number,
  rows: number,
  dims: number,
): void {
  const length = rows * dims;
  for (let i = 0; i < length; i++) {
    const value = values[i] as number;
    // value - value is NaN exactly when value is NaN or infinite.
    if (value - value !== 0) {
      const row = firstRow + Math.floor(i / dims);
      throw new ActivationFileError(
        "probe.activations.non_finite",
        path,
        `row ${row}, column ${i % dims} of ${quote(path)} is ${value}; activations must be finite`,
        {
          hint: "Check the extraction for overflow (float16 saturates at 65504) or missing values.",
        },
      );
    }
  }
}
