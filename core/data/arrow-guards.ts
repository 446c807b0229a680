/**
 * Bounds for apache-arrow's metadata decoding. Arrow metadata are flatbuffers, and the flatbuffers
 * runtime does not verify them: in a corrupt file a vector's length word can read as millions, and
 * Arrow then loops over that many schema fields or key/value pairs (observed: one flipped bit in a
 * file footer kept the reader busy indefinitely). Every vector element takes at least one byte, so a
 * length larger than the buffer holding it is impossible in a well-formed file; the guard makes the
 * decoder throw there instead, and the reader turns that into a DatasetError.
 */
import { ByteBuffer } from 'flatbuffers';

let installed = false;

export class CorruptMetadataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CorruptMetadataError';
  }
}

/** Install the bound on flatbuffer vector lengths (idempotent; affects only impossible lengths). */
export function installArrowGuards(): void {
  if (installed) return;
  installed = true;
  const prototype = ByteBuffer.prototype as unknown as { __vector_len(offset: number): number };
  const vectorLength = prototype.__vector_len;
  prototype.__vector_len = function boundedVectorLength(this: ByteBuffer, offset: number): number {
    const length = vectorLength.call(this, offset);
    if (!(length >= 0) || length > this.capacity()) {
      throw new CorruptMetadataError(
        `a metadata vector claims ${length} entries in a ${this.capacity()}-byte buffer`,
      );
    }
    return length;
  };
}
