/**
 * Named, reused host buffers for the intermediate matrices of the learners' passes. An update
 * allocates nothing in steady state: each name keeps one buffer, grown when a larger one is asked
 * for. A view stays valid until its name is asked for again.
 */
export class Scratch {
  private readonly buffers = new Map<string, Float32Array>();

  /** A zero-initialised-once buffer of `length` values for `name` (contents are whatever was left). */
  get(name: string, length: number): Float32Array {
    let buffer = this.buffers.get(name);
    if (buffer === undefined || buffer.length < length) {
      buffer = new Float32Array(length);
      this.buffers.set(name, buffer);
    }
    return buffer.subarray(0, length);
  }

  /** Like `get`, filled with zeros. */
  zeros(name: string, length: number): Float32Array {
    return this.get(name, length).fill(0);
  }

  /** Bytes held (for memory figures). */
  get bytes(): number {
    let total = 0;
    for (const buffer of this.buffers.values()) total += buffer.byteLength;
    return total;
  }
}
