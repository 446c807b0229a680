/**
 * Sum tree and min tree over a fixed number of slots: the data structures behind proportional
 * prioritised replay (Schaul et al. 2016, appendix B.2.1).
 *
 * Layout: an implicit 8-ary tree stored level by level in one typed array. A node's eight children
 * are adjacent (64 bytes of float64, one cache line), so a search from the root touches one line
 * per level — 7 levels for 2M slots instead of 21 for a binary tree, which keeps the random
 * descents of a 2M-slot buffer (a tree far larger than the CPU caches) fast. Every level is padded
 * to whole groups of eight; the leaf level holds the slots themselves, so the leaf count is the
 * capacity rounded up to a multiple of 8 (8-ary fan-out is a power of two: slot i's ancestor at
 * any level is i >> 3k).
 *
 * Every update recomputes each ancestor as the sum of its eight children (in a fixed order, never
 * by adding a difference), so the total is always the same deterministic function of the current
 * leaves and does not drift after millions of updates.
 */

/** Children per node. */
export const TREE_FANOUT = 8;
const SHIFT = 3;
const MASK = TREE_FANOUT - 1;

/** Smallest power of two ≥ n (n ≥ 1). */
export function nextPowerOfTwo(n: number): number {
  let size = 1;
  while (size < n) size *= 2;
  return size;
}

interface TreeShape {
  /** Number of levels below the root (the leaf level is `depth`). */
  depth: number;
  /** Start of each level in the node array (level 0 = root); `offsets[depth + 1]` = array length. */
  offsets: Int32Array;
}

/** Level sizes: level d holds ⌈capacity / 8^(depth−d)⌉ nodes, padded to whole groups of eight. */
function treeShape(capacity: number): TreeShape {
  let depth = 0;
  for (let span = 1; span < capacity; span *= TREE_FANOUT) depth++;
  const offsets = new Int32Array(depth + 2);
  let offset = TREE_FANOUT; // the root occupies a padded group of its own
  for (let level = 1; level <= depth; level++) {
    offsets[level] = offset;
    const parents = Math.ceil(capacity / TREE_FANOUT ** (depth - level + 1));
    offset += parents * TREE_FANOUT;
  }
  offsets[depth + 1] = offset;
  return { depth, offsets };
}

/** Nodes of `level` that cover at least one slot: ⌈capacity / 8^(depth − level)⌉ (the rest is padding). */
function nodesAtLevel(capacity: number, depth: number, level: number): number {
  return Math.ceil(capacity / TREE_FANOUT ** (depth - level));
}

function nodeCount(capacity: number): number {
  const shape = treeShape(capacity);
  return shape.offsets[shape.depth + 1];
}

function checkCapacity(capacity: number, what: string): void {
  if (!Number.isInteger(capacity) || capacity < 1 || capacity > 2 ** 31 - 1) {
    throw new RangeError(`${what} capacity must be an integer in [1, 2^31), got ${capacity}`);
  }
}

/**
 * Sums of non-negative priorities with O(log n) update, prefix sums and inverse-CDF search.
 * Sums are kept in float64 so that totals over millions of float32 priorities stay accurate.
 */
export class SumTree {
  /** Number of usable slots. */
  readonly capacity: number;
  /** Levels below the root. */
  readonly depth: number;
  /** Node values, level by level (root at 0). */
  readonly nodes: Float64Array;
  private readonly offsets: Int32Array;
  private readonly leafOffset: number;

  constructor(capacity: number) {
    checkCapacity(capacity, 'SumTree');
    this.capacity = capacity;
    const shape = treeShape(capacity);
    this.depth = shape.depth;
    this.offsets = shape.offsets;
    this.leafOffset = shape.offsets[shape.depth];
    this.nodes = new Float64Array(shape.offsets[shape.depth + 1]);
  }

  /** Bytes a tree of this capacity allocates. */
  static bytesFor(capacity: number): number {
    return nodeCount(capacity) * Float64Array.BYTES_PER_ELEMENT;
  }

  /** Set the priority of slot `index` (a finite number ≥ 0). */
  set(index: number, priority: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.capacity) {
      throw new RangeError(`SumTree index must be an integer in [0, ${this.capacity}), got ${index}`);
    }
    if (!(priority >= 0) || priority === Infinity) {
      throw new RangeError(`SumTree priority must be a finite number ≥ 0, got ${priority} at index ${index}`);
    }
    this.setUnchecked(index, priority);
  }

  /** `set` without argument checks, for hot loops whose inputs are valid by construction. */
  setUnchecked(index: number, priority: number): void {
    const nodes = this.nodes;
    const offsets = this.offsets;
    nodes[this.leafOffset + index] = priority;
    let child = index;
    for (let level = this.depth - 1; level >= 0; level--) {
      const parent = child >> SHIFT;
      const base = offsets[level + 1] + (parent << SHIFT);
      nodes[offsets[level] + parent] =
        nodes[base] +
        nodes[base + 1] +
        nodes[base + 2] +
        nodes[base + 3] +
        nodes[base + 4] +
        nodes[base + 5] +
        nodes[base + 6] +
        nodes[base + 7];
      child = parent;
    }
  }

  /** Priority of slot `index` (0 for a slot never set). */
  get(index: number): number {
    if (!Number.isInteger(index) || index < 0 || index >= this.capacity) {
      throw new RangeError(`SumTree index must be an integer in [0, ${this.capacity}), got ${index}`);
    }
    return this.nodes[this.leafOffset + index];
  }

  /** Σ of all priorities. */
  total(): number {
    return this.nodes[0];
  }

  /** Σ of the priorities of slots [0, end). */
  prefixSum(end: number): number {
    if (end <= 0) return 0;
    if (end >= this.capacity) return this.nodes[0];
    const nodes = this.nodes;
    let sum = 0;
    // At each level add the siblings to the left of the ancestor of slot `end`.
    for (let level = this.depth; level >= 1; level--) {
      const position = end >> (SHIFT * (this.depth - level));
      const start = this.offsets[level] + (position & ~MASK);
      for (let k = start; k < this.offsets[level] + position; k++) sum += nodes[k];
    }
    return sum;
  }

  /**
   * The slot whose cumulative priority range [Σ_{j<i} p_j, Σ_{j≤i} p_j) contains `mass`
   * (0 ≤ mass < total()). Zero-priority slots have empty ranges and are never returned; if
   * rounding puts `mass` at or past the end of a node's range, the search takes its last
   * non-empty child.
   */
  find(mass: number): number {
    if (!(this.nodes[0] > 0)) throw new RangeError('SumTree.find needs a positive total priority');
    if (!(mass >= 0)) throw new RangeError(`SumTree.find mass must be ≥ 0, got ${mass}`);
    return this.findUnchecked(mass);
  }

  /** `find` without argument checks (the total must be positive and mass ≥ 0). */
  findUnchecked(mass: number): number {
    const nodes = this.nodes;
    const offsets = this.offsets;
    const depth = this.depth;
    let node = 0;
    for (let level = 1; level <= depth; level++) {
      const first = node << SHIFT;
      const base = offsets[level] + first;
      let chosen = -1;
      let lastNonEmpty = 0;
      for (let k = 0; k < TREE_FANOUT; k++) {
        const value = nodes[base + k];
        if (value > 0) {
          if (mass < value) {
            chosen = k;
            break;
          }
          mass -= value;
          lastNonEmpty = k;
        }
      }
      if (chosen < 0) {
        chosen = lastNonEmpty;
        mass = nodes[base + chosen]; // past the end by rounding: stay at the very end of this child
        mass = mass > 0 ? mass * (1 - 2 ** -52) : 0;
      }
      node = first + chosen;
    }
    return node;
  }

  /** Replace all priorities at once from `priorities[0..n)` (others become 0) in O(capacity). */
  assign(priorities: ArrayLike<number>, n = priorities.length): void {
    if (n > this.capacity)
      throw new RangeError(`SumTree.assign: ${n} priorities exceed capacity ${this.capacity}`);
    const nodes = this.nodes;
    nodes.fill(0);
    for (let i = 0; i < n; i++) {
      const p = priorities[i];
      if (!(p >= 0) || p === Infinity) {
        throw new RangeError(`SumTree priority must be a finite number ≥ 0, got ${p} at index ${i}`);
      }
      nodes[this.leafOffset + i] = p;
    }
    this.rebuildInternal();
  }

  /** Set every slot to 0. */
  clear(): void {
    this.nodes.fill(0);
  }

  private rebuildInternal(): void {
    const nodes = this.nodes;
    const offsets = this.offsets;
    for (let level = this.depth - 1; level >= 0; level--) {
      const parents = nodesAtLevel(this.capacity, this.depth, level);
      for (let parent = 0; parent < parents; parent++) {
        const base = offsets[level + 1] + (parent << SHIFT);
        let sum = 0;
        for (let k = 0; k < TREE_FANOUT; k++) sum += nodes[base + k];
        nodes[offsets[level] + parent] = sum;
      }
    }
  }
}

/**
 * Minimum of priorities with O(log n) update and range queries; empty slots hold +∞. Used to
 * normalise importance weights by their largest possible value, (N·P_min)^(−β). Values are kept
 * in float32: the minimum of float32 priorities is itself a float32, so nothing is lost. An update
 * stops climbing as soon as a node's minimum is unchanged, which is most of the time.
 */
export class MinTree {
  readonly capacity: number;
  readonly depth: number;
  readonly nodes: Float32Array;
  private readonly offsets: Int32Array;
  private readonly leafOffset: number;

  constructor(capacity: number) {
    checkCapacity(capacity, 'MinTree');
    this.capacity = capacity;
    const shape = treeShape(capacity);
    this.depth = shape.depth;
    this.offsets = shape.offsets;
    this.leafOffset = shape.offsets[shape.depth];
    this.nodes = new Float32Array(shape.offsets[shape.depth + 1]).fill(Infinity);
  }

  static bytesFor(capacity: number): number {
    return nodeCount(capacity) * Float32Array.BYTES_PER_ELEMENT;
  }

  set(index: number, value: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.capacity) {
      throw new RangeError(`MinTree index must be an integer in [0, ${this.capacity}), got ${index}`);
    }
    if (Number.isNaN(value)) throw new RangeError(`MinTree value must not be NaN (index ${index})`);
    this.setUnchecked(index, value);
  }

  setUnchecked(index: number, value: number): void {
    const nodes = this.nodes;
    const offsets = this.offsets;
    nodes[this.leafOffset + index] = value;
    let child = index;
    for (let level = this.depth - 1; level >= 0; level--) {
      const parent = child >> SHIFT;
      const base = offsets[level + 1] + (parent << SHIFT);
      let min = nodes[base];
      for (let k = 1; k < TREE_FANOUT; k++) {
        const candidate = nodes[base + k];
        if (candidate < min) min = candidate;
      }
      const at = offsets[level] + parent;
      if (nodes[at] === min) return;
      nodes[at] = min;
      child = parent;
    }
  }

  get(index: number): number {
    return this.nodes[this.leafOffset + index];
  }

  /** Minimum over all slots (+∞ when empty). */
  min(): number {
    return this.nodes[0];
  }

  /** Minimum over slots [start, end) (+∞ for an empty range). */
  rangeMin(start: number, end: number): number {
    let low = Math.max(0, start);
    let high = Math.min(end, this.capacity);
    let result = Infinity;
    const nodes = this.nodes;
    for (let level = this.depth; level >= 0 && low < high; level--) {
      const offset = this.offsets[level];
      while (low < high && (low & MASK) !== 0) {
        if (nodes[offset + low] < result) result = nodes[offset + low];
        low++;
      }
      while (low < high && (high & MASK) !== 0) {
        high--;
        if (nodes[offset + high] < result) result = nodes[offset + high];
      }
      if (level === 0) {
        // Only the root remains (low = 0, high = 1 was handled above unless the range is empty).
        break;
      }
      low >>= SHIFT;
      high >>= SHIFT;
    }
    return result;
  }

  /** Replace all values from `values[0..n)`; other slots become +∞. */
  assign(values: ArrayLike<number>, n = values.length): void {
    const nodes = this.nodes;
    const offsets = this.offsets;
    nodes.fill(Infinity);
    for (let i = 0; i < n; i++) nodes[this.leafOffset + i] = values[i];
    for (let level = this.depth - 1; level >= 0; level--) {
      const parents = nodesAtLevel(this.capacity, this.depth, level);
      for (let parent = 0; parent < parents; parent++) {
        const base = offsets[level + 1] + (parent << SHIFT);
        let min = nodes[base];
        for (let k = 1; k < TREE_FANOUT; k++) if (nodes[base + k] < min) min = nodes[base + k];
        nodes[offsets[level] + parent] = min;
      }
    }
  }

  clear(): void {
    this.nodes.fill(Infinity);
  }
}
