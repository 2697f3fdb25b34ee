/**
 * WebAssembly SIMD kernels for the logistic-regression objective, assembled
 * here from opcodes so no build step or binary file is needed. Each processes
 * four float32 rows at once in float64 arithmetic, two features per 128-bit
 * lane pair. WebAssembly has no fused multiply-add in these instructions and
 * fixes the order of every operation, so results are bit-identical on every
 * engine that runs them.
 */

const I32 = 0x7f;
const V128 = 0x7b;

function unsigned(value: number): number[] {
  const bytes: number[] = [];
  let rest = value >>> 0;
  do {
    let byte = rest & 0x7f;
    rest >>>= 7;
    if (rest !== 0) {
      byte |= 0x80;
    }
    bytes.push(byte);
  } while (rest !== 0);
  return bytes;
}

function name(text: string): number[] {
  const bytes = [...Buffer.from(text, "utf8")];
  return [...unsigned(bytes.length), ...bytes];
}

function section(id: number, contents: number[]): number[] {
  return [id, ...unsigned(contents.length), ...contents];
}

function vector(items: number[][]): number[] {
  return [...unsigned(items.length), ...items.flat()];
}

// Instructions used by the kernels (WebAssembly 2.0 core and fixed-width SIMD).
const op = {
  localGet: (index: number) => [0x20, ...unsigned(index)],
  localSet: (index: number) => [0x21, ...unsigned(index)],
  localTee: (index: number) => [0x22, ...unsigned(index)],
  i32Const: (value: number) => [0x41, ...unsigned(value)],
  i32Add: [0x6a],
  i32LtU: [0x49],
  i32Shl: [0x74],
  loop: [0x03, 0x40],
  brIf: (depth: number) => [0x0d, ...unsigned(depth)],
  end: [0x0b],
  f64Load: (offset: number) => [0x2b, 3, ...unsigned(offset)],
  f64Store: (offset: number) => [0x39, 3, ...unsigned(offset)],
  f64Add: [0xa0],
  v128Load: [0xfd, 0x00, 4, 0],
  v128Store: [0xfd, 0x0b, 4, 0],
  v128Load64Zero: [0xfd, 0x5d, 3, 0],
  f64x2Splat: [0xfd, 0x14],
  f64x2ExtractLane: (lane: number) => [0xfd, 0x21, lane],
  f64x2PromoteLowF32x4: [0xfd, 0x5f],
  f64x2Add: [0xfd, 0xf0, 0x01],
  f64x2Mul: [0xfd, 0xf2, 0x01],
};

/** Loads two float32 at `address local + 0` and widens them to float64x2. */
const loadPair = (addressLocal: number) => [
  ...op.localGet(addressLocal),
  ...op.v128Load64Zero,
  ...op.f64x2PromoteLowF32x4,
];

/**
 * dots4(x, stride, v, pairs, out): for the four rows at x, x + stride, … (byte
 * addresses of float32 rows), out[k] = Σⱼ x_k[j]·v[j] over the first 2·pairs
 * features, with v float64. Each row sums in two lanes (even and odd
 * features), then adds lane 1 to lane 0.
 */
function dots4Body(): number[] {
  // Parameters 0–4; locals: 5–8 row addresses, 9 v address, 10 v end, 11–14 accumulators, 15 v pair.
  const [x, stride, v, pairs, out] = [0, 1, 2, 3, 4];
  const rows = [5, 6, 7, 8];
  const [vAddress, vEnd] = [9, 10];
  const accumulators = [11, 12, 13, 14];
  const vPair = 15;
  const code: number[] = [];
  code.push(...op.localGet(x), ...op.localSet(rows[0] as number));
  for (let k = 1; k < 4; k++) {
    code.push(
      ...op.localGet(rows[k - 1] as number),
      ...op.localGet(stride),
      ...op.i32Add,
      ...op.localSet(rows[k] as number),
    );
  }
  code.push(...op.localGet(v), ...op.localTee(vAddress));
  code.push(
    ...op.localGet(pairs),
    ...op.i32Const(4),
    ...op.i32Shl,
    ...op.i32Add,
    ...op.localSet(vEnd),
  );

  code.push(...op.loop);
  code.push(...op.localGet(vAddress), ...op.v128Load, ...op.localSet(vPair));
  for (let k = 0; k < 4; k++) {
    const accumulator = accumulators[k] as number;
    const row = rows[k] as number;
    code.push(
      ...op.localGet(accumulator),
      ...loadPair(row),
      ...op.localGet(vPair),
      ...op.f64x2Mul,
      ...op.f64x2Add,
    );
    code.push(...op.localSet(accumulator));
    code.push(...op.localGet(row), ...op.i32Const(8), ...op.i32Add, ...op.localSet(row));
  }
  code.push(...op.localGet(vAddress), ...op.i32Const(16), ...op.i32Add, ...op.localTee(vAddress));
  code.push(...op.localGet(vEnd), ...op.i32LtU, ...op.brIf(0), ...op.end);

  for (let k = 0; k < 4; k++) {
    const accumulator = accumulators[k] as number;
    code.push(...op.localGet(out));
    code.push(...op.localGet(accumulator), ...op.f64x2ExtractLane(0));
    code.push(...op.localGet(accumulator), ...op.f64x2ExtractLane(1), ...op.f64Add);
    code.push(...op.f64Store(8 * k));
  }
  code.push(...op.end);
  const locals = vector([
    [6, I32],
    [5, V128],
  ]);
  return [...locals, ...code];
}

/**
 * axpy4(x, stride, r, pairs, accumulator): for the four rows at x, x + stride, …,
 * accumulator[j] += ((r₀x₀[j] + r₁x₁[j]) + r₂x₂[j]) + r₃x₃[j] over the first
 * 2·pairs features, with r (four float64) and the accumulator float64.
 */
function axpy4Body(): number[] {
  // Parameters 0–4; locals: 5–8 row addresses, 9 accumulator address, 10 end, 11–14 splatted r, 15 sum.
  const [x, stride, r, pairs, accumulator] = [0, 1, 2, 3, 4];
  const rows = [5, 6, 7, 8];
  const [address, endAddress] = [9, 10];
  const weights = [11, 12, 13, 14];
  const sum = 15;
  const code: number[] = [];
  code.push(...op.localGet(x), ...op.localSet(rows[0] as number));
  for (let k = 1; k < 4; k++) {
    code.push(
      ...op.localGet(rows[k - 1] as number),
      ...op.localGet(stride),
      ...op.i32Add,
      ...op.localSet(rows[k] as number),
    );
  }
  for (let k = 0; k < 4; k++) {
    code.push(
      ...op.localGet(r),
      ...op.f64Load(8 * k),
      ...op.f64x2Splat,
      ...op.localSet(weights[k] as number),
    );
  }
  code.push(...op.localGet(accumulator), ...op.localTee(address));
  code.push(
    ...op.localGet(pairs),
    ...op.i32Const(4),
    ...op.i32Shl,
    ...op.i32Add,
    ...op.localSet(endAddress),
  );

  code.push(...op.loop);
  for (let k = 0; k < 4; k++) {
    const row = rows[k] as number;
    if (k > 0) {
      code.push(...op.localGet(sum));
    }
    code.push(...loadPair(row), ...op.localGet(weights[k] as number), ...op.f64x2Mul);
    if (k > 0) {
      code.push(...op.f64x2Add);
    }
    code.push(...op.localSet(sum));
    code.push(...op.localGet(row), ...op.i32Const(8), ...op.i32Add, ...op.localSet(row));
  }
  code.push(...op.localGet(address));
  code.push(...op.localGet(address), ...op.v128Load, ...op.localGet(sum), ...op.f64x2Add);
  code.push(...op.v128Store);
  code.push(...op.localGet(address), ...op.i32Const(16), ...op.i32Add, ...op.localTee(address));
  code.push(...op.localGet(endAddress), ...op.i32LtU, ...op.brIf(0), ...op.end);
  code.push(...op.end);
  const locals = vector([
    [6, I32],
    [5, V128],
  ]);
  return [...locals, ...code];
}

function assembleModule(): Uint8Array {
  const kernelType = [0x60, ...vector([[I32], [I32], [I32], [I32], [I32]]), 0x00];
  const bodies = [dots4Body(), axpy4Body()].map((body) => [...unsigned(body.length), ...body]);
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector([kernelType])),
    // One import: env.memory with a minimum of one page and no maximum.
    ...section(2, vector([[...name("env"), ...name("memory"), 0x02, 0x00, 0x01]])),
    ...section(3, vector([[0x00], [0x00]])),
    ...section(
      7,
      vector([
        [...name("dots4"), 0x00, 0x00],
        [...name("axpy4"), 0x00, 0x01],
      ]),
    ),
    ...section(10, vector(bodies)),
  ];
  return Uint8Array.from(bytes);
}

type Kernel = (x: number, stride: number, pointer: number, pairs: number, out: number) => void;

/** The parts of the WebAssembly JavaScript API used here; the ES2023 library typings lack them. */
interface WebAssemblyApi {
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

const wasm = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

let compiled: object | undefined;

const PAGE_BYTES = 65536;

/**
 * Training rows and the float64 work vectors of the objective, in one
 * WebAssembly memory so the SIMD kernels can read them. Memory32 addresses at
 * most 4 GiB, so rows × dims × 4 bytes plus the vectors must fit in that.
 */
export class TrainingMatrix {
  readonly rows: Float32Array;
  /** Standardisation-folded weights v, read by dots4. */
  readonly v: Float64Array;
  /** Gradient accumulator, updated by axpy4. */
  readonly accumulator: Float64Array;
  /** Four float64 slots for dots4 results and axpy4 coefficients. */
  readonly scratch: Float64Array;
  readonly count: number;
  readonly dims: number;
  private readonly dots: Kernel;
  private readonly axpy: Kernel;
  private readonly vAddress: number;
  private readonly accumulatorAddress: number;
  private readonly scratchAddress: number;

  constructor(count: number, dims: number) {
    const rowBytes = count * dims * 4;
    this.vAddress = Math.ceil(rowBytes / 16) * 16;
    this.accumulatorAddress = this.vAddress + Math.ceil((dims * 8) / 16) * 16;
    this.scratchAddress = this.accumulatorAddress + Math.ceil((dims * 8) / 16) * 16;
    const totalBytes = this.scratchAddress + 32;
    if (totalBytes > 65536 * PAGE_BYTES) {
      throw new RangeError(
        `${count} rows of ${dims} float32 values need ${totalBytes} bytes, over the 4 GiB a WebAssembly memory can address`,
      );
    }
    const memory = new wasm.Memory({ initial: Math.ceil(totalBytes / PAGE_BYTES) });
    compiled ??= new wasm.Module(assembleModule());
    const instance = new wasm.Instance(compiled, { env: { memory } });
    this.dots = instance.exports.dots4 as Kernel;
    this.axpy = instance.exports.axpy4 as Kernel;
    this.count = count;
    this.dims = dims;
    this.rows = new Float32Array(memory.buffer, 0, count * dims);
    this.v = new Float64Array(memory.buffer, this.vAddress, dims);
    this.accumulator = new Float64Array(memory.buffer, this.accumulatorAddress, dims);
    this.scratch = new Float64Array(memory.buffer, this.scratchAddress, 4);
  }

  /**
   * Writes Σⱼ x_k[j]·v[j] for rows first … first + 3 into scratch[0 … 3].
   * The sums cover the even-length prefix of the features, so the caller adds an odd last feature.
   */
  dots4(first: number): void {
    this.dots(
      first * this.dims * 4,
      this.dims * 4,
      this.vAddress,
      this.dims >>> 1,
      this.scratchAddress,
    );
  }

  /** Adds Σₖ scratch[k]·x_k[j] for rows first … first + 3 to the accumulator, over the even-length prefix. */
  axpy4(first: number): void {
    this.axpy(
      first * this.dims * 4,
      this.dims * 4,
      this.scratchAddress,
      this.dims >>> 1,
      this.accumulatorAddress,
    );
  }
}
