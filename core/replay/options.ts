/**
 * Validation and memory accounting of replay options. Validation runs once, when a buffer is
 * built, and names the key path of the offending option (`replay.<key>`) as the run config does.
 */
import { totalmem } from 'node:os';
import { SumTree } from './sum-tree.js';
import type { ReplayOptions } from './types.js';

/** Raised for invalid replay options; the message names the option's key path. */
export class ReplayOptionsError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'ReplayOptionsError';
  }
}

function fail(key: string, expected: string, value: unknown): never {
  throw new ReplayOptionsError(
    `replay.${key} must be ${expected}, got ${JSON.stringify(value) ?? String(value)}`,
  );
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Check every field of `options`; throws ReplayOptionsError naming the first bad key. */
export function validateReplayOptions(options: ReplayOptions): void {
  if (typeof options !== 'object' || options === null) fail('', 'an object', options);
  const o = options;
  if (!Number.isInteger(o.capacity) || o.capacity < 1 || o.capacity > 2 ** 31 - 1) {
    fail('capacity', 'an integer in [1, 2^31)', o.capacity);
  }
  if (!Number.isInteger(o.observationWidth) || o.observationWidth < 1) {
    fail('observationWidth', 'a positive integer', o.observationWidth);
  }
  if (!Number.isInteger(o.actionWidth) || o.actionWidth < 1)
    fail('actionWidth', 'a positive integer', o.actionWidth);
  if (typeof o.overwriteOffline !== 'boolean') fail('overwriteOffline', 'true or false', o.overwriteOffline);
  if (!['uniform', 'per', 'roer'].includes(o.priority))
    fail('priority', 'one of uniform, per, roer', o.priority);
  if (!['weight', 'sample'].includes(o.mode)) fail('mode', 'one of weight, sample', o.mode);
  if (!['union', 'fixed'].includes(o.mixing)) fail('mixing', 'one of union, fixed', o.mixing);
  if (!isNumber(o.offlineFraction) || o.offlineFraction < 0 || o.offlineFraction > 1) {
    fail('offlineFraction', 'a number in [0, 1]', o.offlineFraction);
  }
  if (!isNumber(o.perAlpha) || o.perAlpha < 0) fail('perAlpha', 'a number ≥ 0', o.perAlpha);
  if (!isNumber(o.perImportanceStart) || o.perImportanceStart < 0 || o.perImportanceStart > 1) {
    fail('perImportanceStart', 'a number in [0, 1]', o.perImportanceStart);
  }
  if (!isNumber(o.perEpsilon) || o.perEpsilon <= 0) fail('perEpsilon', 'a number > 0', o.perEpsilon);
  if (!isNumber(o.roerMaxClip) || o.roerMaxClip < 1) fail('roerMaxClip', 'a number ≥ 1', o.roerMaxClip);
  if (!isNumber(o.roerMinClip) || o.roerMinClip <= 0) fail('roerMinClip', 'a number > 0', o.roerMinClip);
  if (!isNumber(o.roerLambda) || o.roerLambda <= 0 || o.roerLambda > 1) {
    fail('roerLambda', 'a number in (0, 1]', o.roerLambda);
  }
  if (o.roerDivergence !== 'kl' && o.roerDivergence !== 'pearson') {
    fail('roerDivergence', 'kl or pearson', o.roerDivergence);
  }
  if (o.initialPriority !== undefined && o.initialPriority !== 'max') {
    if (!isNumber(o.initialPriority) || o.initialPriority <= 0) {
      fail('initialPriority', "'max' or a number > 0", o.initialPriority);
    }
  }
}

/** Whether these options sample proportionally to priorities (and so need the trees). */
export function usesPriorityTrees(options: ReplayOptions): boolean {
  return options.mode === 'sample' && options.priority !== 'uniform';
}

/**
 * Bytes stored per transition in the columns: observation, next observation, action and reward
 * (float32), priority (float32), episode id (int32), terminal, timeout and source flags (uint8).
 */
export function bytesPerTransition(observationWidth: number, actionWidth: number): number {
  return 4 * (2 * observationWidth + actionWidth + 1) + 4 + 4 + 3;
}

/** Bytes the buffer allocates for `options`: columns plus, when sampling proportionally, the sum tree with its minima. */
export function estimateReplayBytes(options: ReplayOptions): number {
  const columns = options.capacity * bytesPerTransition(options.observationWidth, options.actionWidth);
  const trees = usesPriorityTrees(options) ? SumTree.bytesFor(options.capacity, true) : 0;
  return columns + trees;
}

/** Human-readable byte count (binary units). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** Largest element count of one typed array (V8 on 64-bit hosts). */
const MAX_TYPED_ARRAY_LENGTH = 2 ** 32 - 1;

/**
 * Throw a RangeError naming the capacity and the bytes needed when the buffer cannot be allocated:
 * a column longer than a typed array may be, or more bytes than the machine has.
 */
export function assertReplayFits(options: ReplayOptions, available = totalmem()): void {
  const bytes = estimateReplayBytes(options);
  const longest = options.capacity * options.observationWidth;
  const perRow = bytesPerTransition(options.observationWidth, options.actionWidth);
  const what = `replay capacity ${options.capacity} needs ${formatBytes(bytes)} (${perRow} bytes per transition${
    usesPriorityTrees(options) ? ' plus priority trees' : ''
  })`;
  if (longest > MAX_TYPED_ARRAY_LENGTH) {
    throw new RangeError(
      `${what}; its observation column would have ${longest} elements, more than a typed array can hold ` +
        `(${MAX_TYPED_ARRAY_LENGTH}). Lower replay.capacity.`,
    );
  }
  if (bytes > available) {
    throw new RangeError(
      `${what}, more than this machine's ${formatBytes(available)} of memory. Lower replay.capacity.`,
    );
  }
}
