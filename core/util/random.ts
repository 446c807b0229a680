/**
 * Seeded pseudo-random numbers for reproducible runs.
 *
 * xoshiro128** (Blackman & Vigna 2018): 128-bit state, period 2^128 − 1, passes BigCrush.
 * Seeds are expanded with splitmix32 so that nearby seeds give unrelated streams.
 * The state is four uint32 words and round-trips through `getState`/`fromState` for checkpoints.
 */

/** Serialisable generator state: four unsigned 32-bit words plus a cached normal deviate. */
export interface RngState {
  words: [number, number, number, number];
  /** Second Box–Muller deviate waiting to be returned, or null. */
  spareNormal: number | null;
}

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const TWO_POW_32 = 4294967296;

export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spareNormal: number | null = null;

  /** @param seed any finite number; its low 32 bits (and the high bits, mixed in) select the stream. */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`Rng seed must be a finite number, got ${seed}`);
    const high = Math.floor(seed / TWO_POW_32) >>> 0;
    const next = splitmix32((seed >>> 0) ^ Math.imul(high, 0x27d4eb2d));
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Restore a generator from `getState()` output. */
  static fromState(state: RngState): Rng {
    const rng = new Rng(0);
    rng.setState(state);
    return rng;
  }

  getState(): RngState {
    return { words: [this.s0, this.s1, this.s2, this.s3], spareNormal: this.spareNormal };
  }

  setState(state: RngState): void {
    const [a, b, c, d] = state.words;
    if ((a | b | c | d) === 0) throw new RangeError('Rng state must not be all zeros');
    this.s0 = a >>> 0;
    this.s1 = b >>> 0;
    this.s2 = c >>> 0;
    this.s3 = d >>> 0;
    this.spareNormal = state.spareNormal;
  }

  /** Next unsigned 32-bit integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    this.s3 >>>= 0;
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform double in [low, high). */
  uniformIn(low: number, high: number): number {
    return low + (high - low) * this.uniform();
  }

  /** Uniform integer in [0, n) without modulo bias (Lemire's method with rejection). */
  int(n: number): number {
    if (!(n >= 1) || n > TWO_POW_32 || !Number.isInteger(n)) {
      throw new RangeError(`Rng.int needs an integer n in [1, 2^32], got ${n}`);
    }
    if (n <= 1 << 30) {
      const threshold = (TWO_POW_32 - n) % n;
      for (;;) {
        const x = this.nextUint32();
        const product = x * n;
        const low = product % TWO_POW_32;
        if (low >= threshold) return Math.floor(product / TWO_POW_32);
      }
    }
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal deviate (Box–Muller, polar form). */
  normal(): number {
    if (this.spareNormal !== null) {
      const spare = this.spareNormal;
      this.spareNormal = null;
      return spare;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const factor = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * factor;
    return u * factor;
  }

  /** Fill `out` with standard normal deviates and return it. */
  fillNormal<T extends Float32Array | Float64Array>(out: T): T {
    for (let i = 0; i < out.length; i++) out[i] = this.normal();
    return out;
  }

  /** A new independent generator derived from this one (for sub-components). */
  fork(): Rng {
    return new Rng(this.nextUint32() * TWO_POW_32 + this.nextUint32());
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
