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
 *
 * Optionally the tree also keeps the minimum positive priority of every node (a min tree sharing
 * the sum tree's leaves), used to normalise importance weights by their largest possible value
 * (N·P_min)^(−β). It stores only the levels above the leaves and reads the leaf group the sum
 * update has just brought into cache; an update stops climbing as soon as a node's minimum is
 * unchanged, which is most of the time.
 */

/** Children per node. */
export const TREE_FANOUT = 8;
const SHIFT = 3;
const MASK = TREE_FANOUT - 1;

/**
 * Sum of the eight children starting at `base`, always added left to right, so that a node is the
 * same deterministic function of its children whichever update recomputes it.
 */
function sumOfChildren(nodes: Float64Array, base: number): number {
  return (
    nodes[base] +
    nodes[base + 1] +
    nodes[base + 2] +
    nodes[base + 3] +
    nodes[base + 4] +
    nodes[base + 5] +
    nodes[base + 6] +
    nodes[base + 7]
  );
}

/** Smallest positive value among the eight leaves starting at `base` (+∞ if none is positive). */
function minPositiveOfGroup(nodes: Float64Array, base: number): number {
  let min = Infinity;
  for (let k = 0; k < TREE_FANOUT; k++) {
    const value = nodes[base + k];
    if (value > 0 && value < min) min = value;
  }
  return min;
}

/** Smallest of the eight minima starting at `base`. */
function minOfGroup(minima: Float64Array, base: number): number {
  let min = minima[base];
  for (let k = 1; k < TREE_FANOUT; k++) if (minima[base + k] < min) min = minima[base + k];
  return min;
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
  /** Minimum positive priority below each internal node (+∞ if none), or null when not tracked. */
  readonly minima: Float64Array | null;
  private readonly offsets: Int32Array;
  private readonly leafOffset: number;
  /** One-element arguments of `findManyUnchecked` for a single search. */
  private readonly singleMass = new Float64Array(1);
  private readonly singleSlot = new Int32Array(1);

  /** @param options.trackMinimum also keep the minimum positive priority (for `min`/`rangeMin`). */
  constructor(capacity: number, options: { trackMinimum?: boolean } = {}) {
    checkCapacity(capacity, 'SumTree');
    this.capacity = capacity;
    const shape = treeShape(capacity);
    this.depth = shape.depth;
    this.offsets = shape.offsets;
    this.leafOffset = shape.offsets[shape.depth];
    this.nodes = new Float64Array(shape.offsets[shape.depth + 1]);
    this.minima = options.trackMinimum ? new Float64Array(this.leafOffset).fill(Infinity) : null;
  }

  /** Bytes a tree of this capacity allocates (with the minimum levels when `trackMinimum`). */
  static bytesFor(capacity: number, trackMinimum = false): number {
    const shape = treeShape(capacity);
    const internal = trackMinimum ? shape.offsets[shape.depth] : 0;
    return (shape.offsets[shape.depth + 1] + internal) * Float64Array.BYTES_PER_ELEMENT;
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
      nodes[offsets[level] + parent] = sumOfChildren(nodes, base);
      child = parent;
    }
    if (this.minima) this.updateMinimum(index);
  }

  /**
   * Set `count` slots at once: `indices[k]` gets `priorities[k]` (a later duplicate wins). The
   * leaves are written first and every ancestor is then recomputed once per run of equal
   * parents, so a batch whose indices are sorted — as stratified sampling returns them — shares
   * the work on the upper levels. `scratch` needs `count` slots. Inputs are not checked.
   */
  setManyUnchecked(
    indices: Int32Array,
    priorities: ArrayLike<number>,
    count: number,
    scratch: Int32Array,
  ): void {
    const nodes = this.nodes;
    const offsets = this.offsets;
    for (let k = 0; k < count; k++) {
      nodes[this.leafOffset + indices[k]] = priorities[k];
      scratch[k] = indices[k];
    }
    let pending = count;
    for (let level = this.depth - 1; level >= 0; level--) {
      let previous = -1;
      let kept = 0;
      for (let k = 0; k < pending; k++) {
        const parent = scratch[k] >> SHIFT;
        if (parent === previous) continue;
        previous = parent;
        scratch[kept++] = parent;
        const base = offsets[level + 1] + (parent << SHIFT);
        nodes[offsets[level] + parent] = sumOfChildren(nodes, base);
      }
      pending = kept;
    }
    if (this.minima) for (let k = 0; k < count; k++) this.updateMinimum(indices[k]);
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
    this.singleMass[0] = mass;
    this.findManyUnchecked(this.singleMass, this.singleSlot, 1);
    return this.singleSlot[0];
  }

  /**
   * `findUnchecked` for `count` masses at once, descending all of them level by level: the
   * searches are independent, so the processor overlaps their cache misses instead of waiting on
   * one chain of misses per search. `masses` is consumed (left holding the in-leaf remainders);
   * `out[k]` receives the slot of `masses[k]`.
   */
  findManyUnchecked(masses: Float64Array, out: Int32Array, count: number): void {
    const nodes = this.nodes;
    const offsets = this.offsets;
    for (let k = 0; k < count; k++) out[k] = 0;
    for (let level = 1; level <= this.depth; level++) {
      const offset = offsets[level];
      for (let k = 0; k < count; k++) {
        const first = out[k] << SHIFT;
        const base = offset + first;
        let mass = masses[k];
        // Skip children whose whole range lies below the mass; empty children (0) are skipped
        // too, because mass ≥ 0 is never below them.
        let child = 0;
        while (child < MASK) {
          const value = nodes[base + child];
          if (mass < value) break;
          mass -= value;
          child++;
        }
        if (child === MASK && !(mass < nodes[base + MASK])) {
          // Past the end of this node's range (rounding) or an empty last child: take the last
          // non-empty child and stay just inside its range.
          while (child > 0 && nodes[base + child] === 0) child--;
          mass = nodes[base + child] * (1 - 2 ** -52);
        }
        masses[k] = mass;
        out[k] = first + child;
      }
    }
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
    this.rebuildMinima();
  }

  /** Set every slot to 0. */
  clear(): void {
    this.nodes.fill(0);
    this.minima?.fill(Infinity);
  }

  /** Smallest positive priority (+∞ when none). Needs `trackMinimum`. */
  min(): number {
    const minima = this.requireMinima();
    if (this.depth === 0) return this.nodes[0] > 0 ? this.nodes[0] : Infinity;
    return minima[0];
  }

  /** Smallest positive priority among slots [start, end) (+∞ when none). Needs `trackMinimum`. */
  rangeMin(start: number, end: number): number {
    const minima = this.requireMinima();
    const nodes = this.nodes;
    let low = Math.max(0, start);
    let high = Math.min(end, this.capacity);
    let result = Infinity;
    // Leaf level: scan partial groups directly (zero = empty slot).
    const leaves = this.leafOffset;
    while (low < high && (low & MASK) !== 0) {
      const value = nodes[leaves + low++];
      if (value > 0 && value < result) result = value;
    }
    while (low < high && (high & MASK) !== 0) {
      const value = nodes[leaves + --high];
      if (value > 0 && value < result) result = value;
    }
    if (low >= high) return result;
    if (this.depth === 0) {
      const value = nodes[0];
      return value > 0 && value < result ? value : result;
    }
    low >>= SHIFT;
    high >>= SHIFT;
    for (let level = this.depth - 1; level >= 0 && low < high; level--) {
      const offset = this.offsets[level];
      while (low < high && (low & MASK) !== 0) {
        if (minima[offset + low] < result) result = minima[offset + low];
        low++;
      }
      while (low < high && (high & MASK) !== 0) {
        high--;
        if (minima[offset + high] < result) result = minima[offset + high];
      }
      if (level === 0) break;
      low >>= SHIFT;
      high >>= SHIFT;
    }
    return result;
  }

  private requireMinima(): Float64Array {
    if (!this.minima)
      throw new Error('this SumTree does not track minima; build it with { trackMinimum: true }');
    return this.minima;
  }

  /** Recompute the minima on the path of slot `index`, stopping where nothing changes. */
  private updateMinimum(index: number): void {
    const minima = this.minima as Float64Array;
    const nodes = this.nodes;
    if (this.depth === 0) return;
    // Bottom internal level: the minimum positive leaf of the group.
    let parent = index >> SHIFT;
    const base = this.leafOffset + (parent << SHIFT);
    let min = minPositiveOfGroup(nodes, base);
    let at = this.offsets[this.depth - 1] + parent;
    if (minima[at] === min) return;
    minima[at] = min;
    for (let level = this.depth - 2; level >= 0; level--) {
      const childBase = this.offsets[level + 1] + ((parent >> SHIFT) << SHIFT);
      parent >>= SHIFT;
      min = minOfGroup(minima, childBase);
      at = this.offsets[level] + parent;
      if (minima[at] === min) return;
      minima[at] = min;
    }
  }

  private rebuildMinima(): void {
    const minima = this.minima;
    if (!minima || this.depth === 0) return;
    const nodes = this.nodes;
    const offsets = this.offsets;
    minima.fill(Infinity);
    const bottom = this.depth - 1;
    const groups = nodesAtLevel(this.capacity, this.depth, bottom);
    for (let parent = 0; parent < groups; parent++) {
      const base = this.leafOffset + (parent << SHIFT);
      minima[offsets[bottom] + parent] = minPositiveOfGroup(nodes, base);
    }
    for (let level = bottom - 1; level >= 0; level--) {
      const parents = nodesAtLevel(this.capacity, this.depth, level);
      for (let parent = 0; parent < parents; parent++) {
        const base = offsets[level + 1] + (parent << SHIFT);
        minima[offsets[level] + parent] = minOfGroup(minima, base);
      }
    }
  }

  private rebuildInternal(): void {
    const nodes = this.nodes;
    const offsets = this.offsets;
    for (let level = this.depth - 1; level >= 0; level--) {
      const parents = nodesAtLevel(this.capacity, this.depth, level);
      for (let parent = 0; parent < parents; parent++) {
        const base = offsets[level + 1] + (parent << SHIFT);
        nodes[offsets[level] + parent] = sumOfChildren(nodes, base);
      }
    }
  }
}
