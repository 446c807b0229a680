/**
 * Maze layouts of the point-maze tasks and the grid helpers on them. The layouts are D4RL's
 * maze2d ones (U_MAZE, MEDIUM_MAZE, LARGE_MAZE; '#' wall, 'O' open, 'G' the evaluation goal).
 *
 * World coordinates: cell (row r, column c) of a layout with R rows covers
 * x ∈ [c, c + 1], y ∈ [R − 1 − r, R − r], so row 0 is drawn at the top and cells are 1 × 1.
 */

export interface MazeLayout {
  name: string;
  /** Rows of the layout, top first. */
  rows: string[];
}

export const MAZE_LAYOUTS = {
  umaze: { name: 'umaze', rows: ['#####', '#GOO#', '###O#', '#OOO#', '#####'] },
  medium: {
    name: 'medium',
    rows: ['########', '#OO##OO#', '#OO#OOO#', '##OOO###', '#OO#OOO#', '#O#OO#O#', '#OOO#OG#', '########'],
  },
  large: {
    name: 'large',
    rows: [
      '############',
      '#OOOO#OOOOO#',
      '#O##O#O#O#O#',
      '#OOOOOO#OOO#',
      '#O####O###O#',
      '#OO#O#OOOOO#',
      '##O#O#O#O###',
      '#OO#OOO#OGO#',
      '############',
    ],
  },
} satisfies Record<string, MazeLayout>;

export interface Cell {
  row: number;
  col: number;
}

/** A layout parsed once: wall grid, open cells, goal cell, BFS helpers. */
export class MazeGrid {
  readonly rowCount: number;
  readonly colCount: number;
  readonly wall: boolean[][];
  readonly openCells: Cell[];
  readonly goalCell: Cell;
  /** The open cell farthest (in grid steps) from the goal: where evaluation episodes start. */
  readonly evalStartCell: Cell;
  private readonly distanceCache = new Map<string, Int32Array>();
  private wallRects: [number, number, number, number][] | undefined;

  constructor(readonly layout: MazeLayout) {
    this.rowCount = layout.rows.length;
    this.colCount = layout.rows[0].length;
    this.wall = layout.rows.map((row) => [...row].map((ch) => ch === '#'));
    this.openCells = [];
    let goal: Cell | undefined;
    layout.rows.forEach((row, r) =>
      [...row].forEach((ch, c) => {
        if (ch !== '#') this.openCells.push({ row: r, col: c });
        if (ch === 'G') goal = { row: r, col: c };
      }),
    );
    if (!goal) throw new Error(`maze ${layout.name} has no goal cell`);
    this.goalCell = goal;
    const distances = this.distancesTo(goal);
    let far = goal;
    for (const cell of this.openCells) {
      if (distances[this.index(cell)] > distances[this.index(far)]) far = cell;
    }
    this.evalStartCell = far;
  }

  index(cell: Cell): number {
    return cell.row * this.colCount + cell.col;
  }

  isWall(row: number, col: number): boolean {
    return row < 0 || col < 0 || row >= this.rowCount || col >= this.colCount || this.wall[row][col];
  }

  /** Centre of a cell in world coordinates. */
  cellCenter(cell: Cell): [number, number] {
    return [cell.col + 0.5, this.rowCount - 1 - cell.row + 0.5];
  }

  /** The cell containing world point (x, y). */
  cellAt(x: number, y: number): Cell {
    return { row: this.rowCount - 1 - Math.floor(y), col: Math.floor(x) };
  }

  /** Grid-step distances from every cell to `target` by breadth-first search (−1: unreachable). */
  distancesTo(target: Cell): Int32Array {
    const key = `${target.row},${target.col}`;
    const cached = this.distanceCache.get(key);
    if (cached) return cached;
    const distances = new Int32Array(this.rowCount * this.colCount).fill(-1);
    const queue: Cell[] = [target];
    distances[this.index(target)] = 0;
    for (let head = 0; head < queue.length; head++) {
      const cell = queue[head];
      for (const [dr, dc] of NEIGHBOURS) {
        const next = { row: cell.row + dr, col: cell.col + dc };
        if (this.isWall(next.row, next.col) || distances[this.index(next)] >= 0) continue;
        distances[this.index(next)] = distances[this.index(cell)] + 1;
        queue.push(next);
      }
    }
    this.distanceCache.set(key, distances);
    return distances;
  }

  /** The neighbouring open cell one step closer to `target` (the cell itself when already there). */
  nextCellToward(from: Cell, target: Cell): Cell {
    const distances = this.distancesTo(target);
    let best = from;
    let bestDistance = distances[this.index(from)];
    for (const [dr, dc] of NEIGHBOURS) {
      const next = { row: from.row + dr, col: from.col + dc };
      if (this.isWall(next.row, next.col)) continue;
      const d = distances[this.index(next)];
      if (d >= 0 && (bestDistance < 0 || d < bestDistance)) {
        best = next;
        bestDistance = d;
      }
    }
    return best;
  }

  /**
   * Wall cells as world rectangles [x, y, width, height]. Built on first use and shared afterwards
   * (every render frame of an episode draws the same walls); callers must not modify it.
   */
  wallRectangles(): [number, number, number, number][] {
    if (this.wallRects) return this.wallRects;
    const rects: [number, number, number, number][] = [];
    for (let r = 0; r < this.rowCount; r++) {
      for (let c = 0; c < this.colCount; c++) {
        if (this.wall[r][c]) rects.push([c, this.rowCount - 1 - r, 1, 1]);
      }
    }
    this.wallRects = rects;
    return rects;
  }
}

const NEIGHBOURS: [number, number][] = [
  [-1, 0],
  [1, 0],
  [0, -1],
  [0, 1],
];
