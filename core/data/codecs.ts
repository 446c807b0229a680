/**
 * Decoders for compressed Arrow IPC bodies (BodyCompression: LZ4_FRAME or ZSTD per buffer), as
 * pyarrow, Polars and DuckDB can write them. apache-arrow's reader looks codecs up in its
 * compression registry; `registerArrowCodecs` fills it once.
 *
 * ZSTD frames are decoded by fzstd. For LZ4 we parse the frame format ourselves and hand each
 * block to lz4js's block decoder: lz4js's own frame reader expects a block checksum before the
 * block data (the LZ4 frame specification puts it after), so it mis-reads frames that carry block
 * checksums, which Polars writes.
 */
import { CompressionType, compressionRegistry } from 'apache-arrow';
import { decompress as zstdDecompress } from 'fzstd';
import lz4 from 'lz4js';

const LZ4_FRAME_MAGIC = 0x184d2204;
const LZ4_SKIPPABLE_MASK = 0xfffffff0;
const LZ4_SKIPPABLE_MAGIC = 0x184d2a50;
/** Block maximum sizes by the BD byte's size id (4…7): 64 KiB, 256 KiB, 1 MiB, 4 MiB. */
const LZ4_BLOCK_MAX_SIZES: Record<number, number> = { 4: 1 << 16, 5: 1 << 18, 6: 1 << 20, 7: 1 << 22 };

function readUint32LE(bytes: Uint8Array, at: number): number {
  if (at + 4 > bytes.length) throw new Error('LZ4 frame is truncated');
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
}

/**
 * Decode a buffer holding one or more LZ4 frames (LZ4 Frame Format 1.6.x): magic, FLG/BD
 * descriptor, optional content size and dictionary id, header checksum, then data blocks
 * (size word whose high bit marks a stored block, data, optional 4-byte block checksum), an
 * end mark of 0 and an optional content checksum. Checksums are skipped, not verified.
 */
export function decodeLz4Frames(input: Uint8Array): Uint8Array {
  const frames: { start: number; blocks: { at: number; size: number; stored: boolean }[] }[] = [];
  let totalBound = 0;
  let at = 0;
  while (at < input.length) {
    const magic = readUint32LE(input, at);
    if ((magic & LZ4_SKIPPABLE_MASK) >>> 0 === LZ4_SKIPPABLE_MAGIC) {
      at += 8 + readUint32LE(input, at + 4);
      continue;
    }
    if (magic !== LZ4_FRAME_MAGIC) throw new Error(`bad LZ4 frame magic 0x${magic.toString(16)}`);
    const flags = input[at + 4];
    const descriptor = input[at + 5];
    if (flags >> 6 !== 1) throw new Error(`unsupported LZ4 frame version ${flags >> 6}`);
    const hasBlockChecksum = (flags & 0x10) !== 0;
    const hasContentSize = (flags & 0x08) !== 0;
    const hasContentChecksum = (flags & 0x04) !== 0;
    const hasDictionaryId = (flags & 0x01) !== 0;
    const blockMax = LZ4_BLOCK_MAX_SIZES[(descriptor >> 4) & 0x7];
    if (blockMax === undefined) throw new Error(`bad LZ4 block size id ${(descriptor >> 4) & 0x7}`);
    at += 6 + (hasContentSize ? 8 : 0) + (hasDictionaryId ? 4 : 0) + 1;
    const frame = { start: totalBound, blocks: [] as { at: number; size: number; stored: boolean }[] };
    for (;;) {
      const word = readUint32LE(input, at);
      at += 4;
      if (word === 0) break;
      const size = word & 0x7fffffff;
      const stored = (word & 0x80000000) !== 0;
      if (at + size > input.length) throw new Error('LZ4 frame is truncated');
      frame.blocks.push({ at, size, stored });
      totalBound += stored ? size : blockMax;
      at += size + (hasBlockChecksum ? 4 : 0);
    }
    if (hasContentChecksum) at += 4;
    frames.push(frame);
  }
  const output = new Uint8Array(totalBound);
  let end = 0;
  for (const frame of frames) {
    for (const block of frame.blocks) {
      if (block.stored) {
        output.set(input.subarray(block.at, block.at + block.size), end);
        end += block.size;
      } else {
        end = lz4.decompressBlock(input, output, block.at, block.size, end);
      }
    }
  }
  return output.subarray(0, end);
}

let registered = false;

/** Make apache-arrow able to read LZ4- and ZSTD-compressed IPC bodies (idempotent). */
export function registerArrowCodecs(): void {
  if (registered) return;
  registered = true;
  compressionRegistry.set(CompressionType.ZSTD, { decode: (bytes: Uint8Array) => zstdDecompress(bytes) });
  compressionRegistry.set(CompressionType.LZ4_FRAME, {
    decode: (bytes: Uint8Array) => decodeLz4Frames(bytes),
  });
}
