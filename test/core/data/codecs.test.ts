import fc from 'fast-check';
import lz4 from 'lz4js';
import { describe, expect, it } from 'vitest';
import { decodeLz4Frames } from '../../../core/data/codecs.js';

const MAGIC = [0x04, 0x22, 0x4d, 0x18];

function u32(value: number): number[] {
  return [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff];
}

/** The data blocks of a frame made by lz4js (which writes no checksums and no content size). */
function blocksOf(frame: Uint8Array): { word: number; data: Uint8Array }[] {
  const flags = frame[4];
  let at = 4 + 2 + ((flags & 0x08) !== 0 ? 8 : 0) + 1;
  const blocks: { word: number; data: Uint8Array }[] = [];
  for (;;) {
    const word = (frame[at] | (frame[at + 1] << 8) | (frame[at + 2] << 16) | (frame[at + 3] << 24)) >>> 0;
    at += 4;
    if (word === 0) return blocks;
    const size = word & 0x7fffffff;
    blocks.push({ word, data: frame.subarray(at, at + size) });
    at += size;
  }
}

describe('LZ4 frame decoding', () => {
  it('inverts lz4js compression (property, including repetitive data)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.integer({ min: 1, max: 40 }), (bytes, repeat) => {
        const data = new Uint8Array(bytes.length * repeat);
        for (let r = 0; r < repeat; r++) data.set(bytes, r * bytes.length);
        expect(decodeLz4Frames(lz4.compress(data))).toEqual(data);
      }),
      { numRuns: 60 },
    );
  });

  it('reads frames with block checksums, content size and checksum, skippable frames and several frames', () => {
    const first = new Uint8Array(5000).map((_, i) => (i * 7) % 13);
    const second = Uint8Array.of(9, 8, 7, 6, 5);
    const compressed = blocksOf(lz4.compress(first));
    // FLG: version 01, block checksum, content size, content checksum; BD: 64 KiB blocks.
    const frame1 = [
      ...MAGIC,
      0x40 | 0x10 | 0x08 | 0x04,
      0x40,
      ...u32(first.length),
      0,
      0,
      0,
      0,
      0xab,
      ...compressed.flatMap((block) => [...u32(block.word), ...block.data, 0xde, 0xad, 0xbe, 0xef]),
      0,
      0,
      0,
      0,
      1,
      2,
      3,
      4,
    ];
    const skippable = [0x5a, 0x2a, 0x4d, 0x18, ...u32(3), 1, 2, 3];
    // A frame with one stored (uncompressed) block, no checksums.
    const frame2 = [...MAGIC, 0x40, 0x40, 0xcd, ...u32(0x80000000 | second.length), ...second, 0, 0, 0, 0];
    const decoded = decodeLz4Frames(Uint8Array.from([...frame1, ...skippable, ...frame2]));
    expect(decoded).toEqual(Uint8Array.from([...first, ...second]));
  });

  it('rejects a bad magic and a truncated block', () => {
    expect(() => decodeLz4Frames(Uint8Array.of(1, 2, 3, 4, 5, 6, 7))).toThrow(/magic/);
    const frame = lz4.compress(new Uint8Array(100).fill(3));
    expect(() => decodeLz4Frames(frame.subarray(0, frame.length - 6))).toThrow(/truncated/);
  });
});
