/** Type declarations for the parts of the lz4js package this project uses. */
declare module 'lz4js' {
  /**
   * Decode one LZ4 block from `src[sIndex, sIndex + sLength)` into `dst` starting at `dIndex`;
   * returns the new end index in `dst`. Matches may reach back into earlier output in `dst`.
   */
  export function decompressBlock(
    src: Uint8Array,
    dst: Uint8Array,
    sIndex: number,
    sLength: number,
    dIndex: number,
  ): number;
  /** Encode `src` as one LZ4 frame (used only by tests to build compressed fixtures). */
  export function compress(src: Uint8Array, maxSize?: number): Uint8Array;
}
