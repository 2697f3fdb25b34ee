import { formatValue, StatsError } from "./errors.js";

/**
 * A seeded pseudo-random number generator, so that bootstrap intervals and
 * simulations give the same numbers on every run and platform.
 *
 * The generator is xoshiro128** 1.1 (Blackman and Vigna, "Scrambled linear
 * pseudorandom number generators", 2018), a 128-bit state with period
 * 2^128 − 1, whose four state words are filled from the 32-bit seed by the
 * splitmix32 sequence so that nearby seeds give unrelated streams.
 */
export class SeededRandom {
  readonly #state = new Uint32Array(4);

  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new StatsError(
        "invalid_option",
        "seed",
        seed,
        `seed must be an integer from 0 to 4294967295, received ${formatValue(seed)}`,
      );
    }
    let mix = seed >>> 0;
    for (let i = 0; i < 4; i += 1) {
      mix = (mix + 0x9e3779b9) >>> 0;
      let z = mix;
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      this.#state[i] = (z ^ (z >>> 15)) >>> 0;
    }
    // An all-zero state would repeat zeros forever.
    if (this.#state.every((word) => word === 0)) {
      this.#state[0] = 1;
    }
  }

  /**
   * Creates a generator from four raw state words, not all zero. Seeding
   * through the constructor is the normal use; this exists to check the
   * generator against the reference implementation's published outputs.
   */
  static fromState(words: readonly [number, number, number, number]): SeededRandom {
    if (words.every((word) => word === 0)) {
      throw new StatsError("invalid_option", "words", words, "the state words must not all be 0");
    }
    const random = new SeededRandom(0);
    for (let i = 0; i < 4; i += 1) {
      random.#state[i] = (words[i] ?? 0) >>> 0;
    }
    return random;
  }

  /** Returns the next 32-bit unsigned integer of the stream. */
  nextUint32(): number {
    const state = this.#state;
    const s0 = state[0] ?? 0;
    const s1 = state[1] ?? 0;
    const result = Math.imul(rotateLeft(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;

    state[2] = (state[2] ?? 0) ^ s0;
    state[3] = (state[3] ?? 0) ^ s1;
    state[1] = s1 ^ (state[2] ?? 0);
    state[0] = s0 ^ (state[3] ?? 0);
    state[2] = (state[2] ?? 0) ^ t;
    state[3] = rotateLeft(state[3] ?? 0, 11);

    return result;
  }

  /** Returns a uniform number in [0, 1) with 53 random bits. */
  nextFloat(): number {
    const high = this.nextUint32() >>> 5;
    const low = this.nextUint32() >>> 6;
    return (high * 67108864 + low) / 9007199254740992;
  }

  /**
   * Returns a uniform integer in [0, bound) for 1 ≤ bound ≤ 2^32, without the
   * bias of a plain modulo: draws from the incomplete top block are rejected.
   */
  nextInt(bound: number): number {
    const limit = 4294967296 - (4294967296 % bound);
    for (;;) {
      const value = this.nextUint32();
      if (value < limit) {
        return value % bound;
      }
    }
  }
}

function rotateLeft(value: number, bits: number): number {
  return ((value << bits) | (value >>> (32 - bits))) >>> 0;
}
