/**
 * The checksum a dataset card records (`dataSha256`): SHA-256 over the transition data, column by
 * column in a fixed order — observations, actions, rewards, next_observations as little-endian
 * float32, then terminals and timeouts as one byte (0 or 1) per row, then the behaviour columns
 * the file has, in the order of core/data/behaviour-columns.ts, as little-endian float32 (a file
 * without them hashes as before they existed). Arrow and Parquet carry no
 * checksums of their own, so this is what finds a flipped bit in a data body. It covers the data,
 * not the file's bytes: a file cannot hold the hash of itself, and the same data stays verifiable
 * whatever the container.
 */
import { createHash } from 'node:crypto';
import { behaviourColumnsOf } from './behaviour-columns.js';

export interface ChecksummedColumns {
  observations: Float32Array;
  actions: Float32Array;
  rewards: Float32Array;
  nextObservations: Float32Array;
  terminals: Uint8Array;
  timeouts: Uint8Array;
  /** Behaviour columns by in-memory name (`extras` of transition columns); others are ignored. */
  extras?: Record<string, Float32Array>;
}

function bytesOf(array: Float32Array | Uint8Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** Flags as the checksum reads them: 1 for any non-zero value. */
function normalisedFlags(flags: Uint8Array): Uint8Array {
  return flags.every((flag) => flag === 0 || flag === 1) ? flags : flags.map((flag) => (flag !== 0 ? 1 : 0));
}

/** The `dataSha256` of these columns (hex). */
export function transitionsSha256(columns: ChecksummedColumns): string {
  const hash = createHash('sha256');
  for (const column of [columns.observations, columns.actions, columns.rewards, columns.nextObservations]) {
    hash.update(bytesOf(column));
  }
  hash.update(bytesOf(normalisedFlags(columns.terminals)));
  hash.update(bytesOf(normalisedFlags(columns.timeouts)));
  for (const [, values] of behaviourColumnsOf(columns.extras)) hash.update(bytesOf(values));
  return hash.digest('hex');
}
