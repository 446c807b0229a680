/**
 * Load an offline dataset file into transition columns (the D4RL flat layout of
 * core/replay/transitions.ts), validating it on the way.
 *
 * Two layouts are understood:
 * - D4RL flat: observations [N × dₒ], actions [N × dₐ], rewards, terminals, timeouts, optional
 *   next_observations. An episode ends at a terminal or a timeout row.
 * - Minari episodic: observations with T + 1 rows per episode, actions/rewards/terminations/
 *   truncations padded to the same row count, an optional episode_id column (absent: one episode).
 *
 * When next_observations is absent it is derived from the following row of the same episode, never
 * across an episode end: a terminal row's next observation is never bootstrapped from (mask 0), so
 * it repeats the row's own observation; a timeout row's successor state is unknown, so that row is
 * dropped and the row before it becomes the episode's timeout (as D4RL's qlearning_dataset does).
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Table } from 'apache-arrow';
import { episodeIdsFromEnds } from '../replay/replay.js';
import { allocateColumns, type TransitionColumns } from '../replay/transitions.js';
import { makeEnv, prepareEnv } from '../envs/registry.js';
import type { Env } from '../envs/types.js';
import { parseCard } from './card.js';
import { type MatrixColumn, readFlags, readIntegers, readMatrix, readScalar } from './columns.js';
import { type ContainerFormat, decoderMessage, readTable } from './read-table.js';
import {
  BEHAVIOUR_FILE_COLUMNS,
  behaviourColumnsOf,
  type BehaviourColumns,
  readBehaviourColumns,
  selectBehaviourRows,
} from './behaviour-columns.js';
import { transitionsSha256 } from './checksum.js';
import { DatasetError, type LoadedDataset } from './types.js';
import type { DatasetCard } from '../common/dataset-card.js';
import { actionBoundWarnings, checkExclusiveEnds, checkFinite } from './validate.js';

export interface LoadOptions {
  /** Check widths and action bounds against this environment. */
  envId?: string;
  observationWidth?: number;
  actionWidth?: number;
  actionBounds?: { low: Float32Array; high: Float32Array };
}

export type DatasetLayout = 'd4rl' | 'minari';

/** What `loadDataset` returns, plus how the file was read (for inspection and benchmarks). */
export interface LoadedDatasetDetails extends LoadedDataset {
  format: ContainerFormat;
  layout: DatasetLayout;
  fileBytes: number;
  /** Columns handed over as views of the file's bytes, without a copy. */
  zeroCopyColumns: string[];
  /** Columns of the file that the loader did not use. */
  ignoredColumns: string[];
  /** The behaviour columns the file has (infos/action_log_probs, …), read into `columns.extras`. */
  behaviourColumns: string[];
}

const D4RL_COLUMNS = ['observations', 'actions', 'rewards', 'terminals', 'timeouts', 'next_observations'];
const MINARI_COLUMNS = ['observations', 'actions', 'rewards', 'terminations', 'truncations', 'episode_id'];

/** Load and validate `path` (Arrow IPC file or stream, or Parquet). Throws DatasetError. */
export async function loadDataset(path: string, options: LoadOptions = {}): Promise<LoadedDatasetDetails> {
  try {
    if (await isDirectory(path)) return await loadMinariDirectory(path, options);
    return await loadFile(path, options);
  } catch (error) {
    if (error instanceof DatasetError) throw error;
    // Anything else comes from data that passed the structural checks yet is inconsistent
    // (e.g. corrupt metadata deep inside a record batch): still an input error, not a crash.
    const detail = decoderMessage(error);
    throw new DatasetError(
      path,
      `the file's content is inconsistent or corrupt${detail ? ` (${detail})` : ": a column's data does not match its metadata"}`,
    );
  }
}

async function loadFile(path: string, options: LoadOptions): Promise<LoadedDatasetDetails> {
  const read = await readTable(path);
  const card = parseCard(path, read.metadata);
  const { table } = read;
  if (table.numRows === 0)
    throw new DatasetError(path, 'the file has no rows; expected at least one transition');
  const names = table.schema.fields.map((field) => field.name);
  const duplicateWarnings = duplicateColumns(names).map(
    ([name, count]) =>
      `${path}: column ${printableName(name)} appears ${count} times; the first one is used and the others are ignored`,
  );
  const isMinari = names.includes('terminations') || names.includes('truncations');
  const layout: DatasetLayout = isMinari ? 'minari' : 'd4rl';
  const expected = await expectedShapes(path, options, card?.envId ?? null);
  const warnings: string[] = [...expected.warnings, ...duplicateWarnings];
  const zeroCopyColumns: string[] = [];

  const assembled = isMinari
    ? assembleMinari(path, table, expected, warnings)
    : assembleD4rl(path, table, expected, warnings, zeroCopyColumns, card);

  const columns = assembled;
  warnings.push(...actionsOutOfBounds(path, columns, expected));
  if (card && card.steps !== columns.length && card.steps !== table.numRows) {
    warnings.push(`${path}: the card says ${card.steps} steps, the file holds ${columns.length} transitions`);
  }
  const known = isMinari ? MINARI_COLUMNS : [...D4RL_COLUMNS, ...Object.values(BEHAVIOUR_FILE_COLUMNS)];
  return {
    path,
    columns,
    card,
    warnings,
    format: read.format,
    layout,
    fileBytes: read.bytes,
    zeroCopyColumns,
    ignoredColumns: [...new Set(names.filter((name) => !known.includes(name)))].map(printableName),
    behaviourColumns: behaviourColumnsOf(columns.extras).map(([name]) => BEHAVIOUR_FILE_COLUMNS[name]),
  };
}

/** Names that occur more than once, with their counts (Arrow and Parquet allow duplicate column names). */
export function duplicateColumns(names: string[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  return [...counts].filter(([, count]) => count > 1);
}

/**
 * A column name from a file, fit for a message: quoted when it holds anything unusual, with
 * control characters and undecodable bytes escaped, and cut after 60 characters.
 */
export function printableName(name: string): string {
  if (/^[\w./:-]{1,60}$/.test(name)) return name;
  const escaped = JSON.stringify(name.length > 60 ? `${name.slice(0, 60)}…` : name).replace(
    /\uFFFD/g,
    '\\ufffd',
  );
  return escaped.replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

interface ExpectedShapes {
  observationWidth?: number;
  actionWidth?: number;
  actionBounds?: { low: Float32Array; high: Float32Array };
  /** The environment's action space, when an environment is given. */
  actionSpace?: { kind: 'box' } | { kind: 'discrete'; n: number };
  /** Where the expectation came from, for messages. */
  source: string;
  warnings: string[];
}

async function expectedShapes(
  path: string,
  options: LoadOptions,
  cardEnvId: string | null,
): Promise<ExpectedShapes> {
  const shapes: ExpectedShapes = {
    observationWidth: options.observationWidth,
    actionWidth: options.actionWidth,
    actionBounds: options.actionBounds,
    source: 'the requested shape',
    warnings: [],
  };
  if (options.envId === undefined) return shapes;
  let env: Env;
  try {
    await prepareEnv(options.envId);
    env = makeEnv(options.envId);
  } catch (error) {
    throw new DatasetError(path, (error as Error).message);
  }
  env.close?.();
  shapes.source = `environment ${env.id}`;
  shapes.observationWidth ??= env.observationSpace.size;
  shapes.actionSpace =
    env.actionSpace.kind === 'box' ? { kind: 'box' } : { kind: 'discrete', n: env.actionSpace.n };
  if (env.actionSpace.kind === 'box') {
    shapes.actionWidth ??= env.actionSpace.size;
    shapes.actionBounds ??= { low: env.actionSpace.low, high: env.actionSpace.high };
  } else {
    shapes.actionWidth ??= 1;
    shapes.actionBounds ??= { low: Float32Array.of(0), high: Float32Array.of(env.actionSpace.n - 1) };
  }
  if (cardEnvId !== null && cardEnvId !== env.id) {
    shapes.warnings.push(
      `${path}: the card says the data comes from ${cardEnvId}; it is being loaded for ${env.id}`,
    );
  }
  return shapes;
}

function checkWidth(
  path: string,
  column: string,
  actual: number,
  expected: number | undefined,
  source: string,
  what: string,
): void {
  if (expected !== undefined && actual !== expected) {
    throw new DatasetError(
      path,
      `${what} width ${actual} does not match ${source}, which expects ${expected}`,
      column,
    );
  }
}

/** Warnings for actions outside the expected bounds (none when no bounds are known). */
function actionsOutOfBounds(path: string, columns: TransitionColumns, expected: ExpectedShapes): string[] {
  if (!expected.actionBounds) return [];
  const { low, high } = expected.actionBounds;
  return actionBoundWarnings(path, columns.actions, columns.actionWidth, low, high);
}

/** Throws naming the first of `names` the table lacks, with the columns it does have. */
function requireColumns(path: string, table: Table, layout: string, names: string[]): void {
  for (const name of names) {
    if (!table.getChild(name)) {
      const present = table.schema.fields.map((field) => printableName(field.name)).join(', ');
      const needed = `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
      throw new DatasetError(
        path,
        `missing required column; the ${layout} layout needs ${needed} (the file has: ${present})`,
        name,
      );
    }
  }
}

/**
 * The observation, action and reward columns, named alike in both layouts, with the observation
 * and action widths checked against what the environment or the card expects.
 */
function readStepColumns(
  path: string,
  table: Table,
  expected: ExpectedShapes,
): { observations: MatrixColumn; actions: MatrixColumn; rewards: MatrixColumn } {
  const observations = readMatrix(path, table, 'observations');
  checkWidth(
    path,
    'observations',
    observations.width,
    expected.observationWidth,
    expected.source,
    'observation',
  );
  const actions = readMatrix(path, table, 'actions');
  checkWidth(path, 'actions', actions.width, expected.actionWidth, expected.source, 'action');
  const rewards = readScalar(path, table, 'rewards');
  return { observations, actions, rewards };
}

function checkNoEnd(
  path: string,
  terminals: Uint8Array,
  timeouts: Uint8Array,
  names: [string, string],
): void {
  for (let i = 0; i < terminals.length; i++) if (terminals[i] !== 0 || timeouts[i] !== 0) return;
  throw new DatasetError(
    path,
    `no row is flagged as an episode end; expected at least one terminal ("${names[0]}") or timeout ("${names[1]}") so episode boundaries are known`,
    names[0],
  );
}

function assembleD4rl(
  path: string,
  table: Table,
  expected: ExpectedShapes,
  warnings: string[],
  zeroCopyColumns: string[],
  card: DatasetCard | null,
): TransitionColumns {
  requireColumns(path, table, 'D4RL', ['observations', 'actions', 'rewards', 'terminals', 'timeouts']);
  const { observations, actions, rewards } = readStepColumns(path, table, expected);
  const terminals = readFlags(path, table, 'terminals');
  const timeouts = readFlags(path, table, 'timeouts');
  const next = table.getChild('next_observations') ? readMatrix(path, table, 'next_observations') : null;
  if (next && next.width !== observations.width) {
    throw new DatasetError(
      path,
      `wrong width: ${next.width}, expected ${observations.width} like observations`,
      'next_observations',
    );
  }
  const behaviour = readBehaviourColumns(path, table, {
    rows: table.numRows,
    actions: actions.values,
    actionWidth: actions.width,
    actionCount: expected.actionSpace?.kind === 'discrete' ? expected.actionSpace.n : undefined,
    box: expected.actionSpace?.kind === 'box',
  });
  if (card?.dataSha256 !== undefined) {
    const actual = transitionsSha256({
      extras: behaviour,
      observations: observations.values,
      actions: actions.values,
      rewards: rewards.values,
      nextObservations: next?.values ?? new Float32Array(0),
      terminals: terminals.values,
      timeouts: timeouts.values,
    });
    if (actual !== card.dataSha256) {
      throw new DatasetError(
        path,
        'the data does not match the SHA-256 its dataset card records (dataSha256): the file was damaged or changed after it was written',
      );
    }
  }
  checkExclusiveEnds(path, terminals.values, timeouts.values);
  checkNoEnd(path, terminals.values, timeouts.values, ['terminals', 'timeouts']);
  checkFinite(path, 'observations', observations.values, observations.width);
  checkFinite(path, 'actions', actions.values, actions.width);
  checkFinite(path, 'rewards', rewards.values, 1);
  if (next) checkFinite(path, 'next_observations', next.values, next.width);

  const flat: FlatRows = {
    observations,
    actions,
    rewards,
    terminals: terminals.values,
    timeouts: timeouts.values,
    behaviour,
  };
  const zeroCopy: [string, boolean][] = [
    ['observations', observations.zeroCopy],
    ['actions', actions.zeroCopy],
    ['rewards', rewards.zeroCopy],
    ['terminals', terminals.zeroCopy],
    ['timeouts', timeouts.zeroCopy],
  ];
  let columns: TransitionColumns;
  if (next) {
    zeroCopy.push(['next_observations', next.zeroCopy]);
    columns = withGivenNext(path, flat, next.values, warnings);
  } else {
    columns = withDerivedNext(path, flat, warnings);
    for (const entry of zeroCopy) if (columns.length !== table.numRows) entry[1] = false;
  }
  for (const [name, isZeroCopy] of zeroCopy) if (isZeroCopy) zeroCopyColumns.push(name);
  return columns;
}

interface FlatRows {
  observations: MatrixColumn;
  actions: MatrixColumn;
  rewards: MatrixColumn;
  terminals: Uint8Array;
  timeouts: Uint8Array;
  /** Behaviour statistics per row (core/data/behaviour-columns.ts), carried as `extras`. */
  behaviour?: BehaviourColumns;
}

/** `extras` holding the behaviour columns, when there are any. */
function behaviourExtras(behaviour: BehaviourColumns | undefined): Pick<TransitionColumns, 'extras'> {
  return behaviour && Object.keys(behaviour).length > 0
    ? { extras: behaviour as Record<string, Float32Array> }
    : {};
}

function withGivenNext(
  path: string,
  rows: FlatRows,
  next: Float32Array,
  warnings: string[],
): TransitionColumns {
  const length = rows.terminals.length;
  let timeouts = rows.timeouts;
  if (rows.terminals[length - 1] === 0 && timeouts[length - 1] === 0) {
    timeouts = Uint8Array.from(timeouts);
    timeouts[length - 1] = 1;
    warnings.push(
      `${path}: column "timeouts", row ${length - 1}: the last episode has no end flag; it is treated as cut by a time limit`,
    );
  }
  return {
    length,
    observationWidth: rows.observations.width,
    actionWidth: rows.actions.width,
    observations: rows.observations.values,
    actions: rows.actions.values,
    rewards: rows.rewards.values,
    nextObservations: next,
    terminals: rows.terminals,
    timeouts,
    episodeIds: episodeIdsFromEnds(rows.terminals, timeouts),
    ...behaviourExtras(rows.behaviour),
  };
}

/**
 * Derive next observations from episode boundaries (see the module comment): keeps every row
 * whose successor is known or irrelevant and drops timeout rows (and an unterminated last row).
 */
export function withDerivedNext(path: string, rows: FlatRows, warnings: string[]): TransitionColumns {
  const length = rows.terminals.length;
  const dObs = rows.observations.width;
  const dAct = rows.actions.width;
  const keep = new Uint8Array(length);
  const newTimeout = new Uint8Array(length);
  let kept = 0;
  let droppedTimeouts = 0;
  let episodeStart = 0;
  for (let i = 0; i < length; i++) {
    const isTerminal = rows.terminals[i] !== 0;
    const isTimeout = rows.timeouts[i] !== 0;
    const isLast = i === length - 1;
    if (isTerminal) {
      keep[i] = 1;
      kept++;
    } else if (isTimeout || isLast) {
      // The state after this row is unknown: drop it; the previous row of the episode ends it.
      if (i > episodeStart) newTimeout[i - 1] = 1;
      if (isTimeout) droppedTimeouts++;
      else
        warnings.push(
          `${path}: row ${i}: the last episode has no end flag; its final row was dropped (its next observation is unknown) and the episode treated as cut by a time limit`,
        );
    } else {
      keep[i] = 1;
      kept++;
    }
    if (isTerminal || isTimeout) episodeStart = i + 1;
  }
  if (droppedTimeouts > 0) {
    warnings.push(
      `${path}: next_observations is absent, so ${droppedTimeouts} timeout row(s) whose next state is unknown were dropped (the row before each now ends its episode)`,
    );
  }
  if (kept === 0)
    throw new DatasetError(
      path,
      'no transition has a known next observation; add a next_observations column',
      'next_observations',
    );
  const observations = kept === length ? rows.observations.values : new Float32Array(kept * dObs);
  const actions = kept === length ? rows.actions.values : new Float32Array(kept * dAct);
  const rewards = kept === length ? rows.rewards.values : new Float32Array(kept);
  const nextObservations = new Float32Array(kept * dObs);
  const terminals = new Uint8Array(kept);
  const timeouts = new Uint8Array(kept);
  const src = rows.observations.values;
  let out = 0;
  for (let i = 0; i < length; i++) {
    if (!keep[i]) continue;
    if (kept !== length) {
      observations.set(src.subarray(i * dObs, (i + 1) * dObs), out * dObs);
      actions.set(rows.actions.values.subarray(i * dAct, (i + 1) * dAct), out * dAct);
      rewards[out] = rows.rewards.values[i];
    }
    terminals[out] = rows.terminals[i];
    timeouts[out] = newTimeout[i];
    // A terminal row's successor is never used for bootstrapping (mask 0): repeat its own observation.
    const successor = rows.terminals[i] !== 0 ? i : i + 1;
    nextObservations.set(src.subarray(successor * dObs, (successor + 1) * dObs), out * dObs);
    out++;
  }
  return {
    length: kept,
    observationWidth: dObs,
    actionWidth: dAct,
    observations,
    actions,
    rewards,
    nextObservations,
    terminals,
    timeouts,
    episodeIds: episodeIdsFromEnds(terminals, timeouts),
    ...behaviourExtras(
      rows.behaviour && kept !== length ? selectBehaviourRows(rows.behaviour, keep, kept) : rows.behaviour,
    ),
  };
}

/** Minari episodic layout → flat transitions (always a copy: the rows interleave padding). */
function assembleMinari(
  path: string,
  table: Table,
  expected: ExpectedShapes,
  warnings: string[],
): TransitionColumns {
  requireColumns(path, table, 'Minari', [
    'observations',
    'actions',
    'rewards',
    'terminations',
    'truncations',
  ]);
  const { observations, actions, rewards } = readStepColumns(path, table, expected);
  const terminations = readFlags(path, table, 'terminations').values;
  const truncations = readFlags(path, table, 'truncations').values;
  // Checked in file rows (so messages point at the file); padding rows hold zeros.
  checkFinite(path, 'observations', observations.values, observations.width);
  checkFinite(path, 'actions', actions.values, actions.width);
  checkFinite(path, 'rewards', rewards.values, 1);
  const rowCount = table.numRows;
  const episodeOf = table.getChild('episode_id')
    ? readIntegers(path, table, 'episode_id')
    : new Float64Array(rowCount);

  // Episodes are runs of equal episode_id; each has T + 1 rows, the last one padding for actions/rewards/flags.
  const runs: [number, number][] = [];
  const seen = new Set<number>();
  let start = 0;
  for (let i = 1; i <= rowCount; i++) {
    if (i === rowCount || episodeOf[i] !== episodeOf[start]) {
      if (seen.has(episodeOf[start])) {
        throw new DatasetError(
          path,
          `episode ${episodeOf[start]} appears in two separate runs of rows; expected each episode's rows together`,
          'episode_id',
          start,
        );
      }
      seen.add(episodeOf[start]);
      if (i - start < 2) {
        throw new DatasetError(
          path,
          `episode ${episodeOf[start]} has a single row; a Minari episode has T + 1 observation rows (T ≥ 1)`,
          'observations',
          start,
        );
      }
      runs.push([start, i]);
      start = i;
    }
  }
  let transitions = 0;
  for (const [a, b] of runs) transitions += b - a - 1;
  const dObs = observations.width;
  const dAct = actions.width;
  const out = allocateColumns(transitions, dObs, dAct);
  let row = 0;
  runs.forEach(([a, b], episode) => {
    for (let i = a; i < b - 1; i++) {
      if (terminations[i] !== 0 && truncations[i] !== 0) {
        throw new DatasetError(
          path,
          'the step is flagged both terminated ("terminations") and truncated ("truncations"); expected at most one',
          'terminations',
          i,
        );
      }
      if (i < b - 2 && (terminations[i] !== 0 || truncations[i] !== 0)) {
        throw new DatasetError(
          path,
          `episode ${episodeOf[a]} ends at this row but has ${b - 2 - i} more step(s); expected the end flag on its last step`,
          'terminations',
          i,
        );
      }
      out.observations.set(observations.values.subarray(i * dObs, (i + 1) * dObs), row * dObs);
      out.nextObservations.set(observations.values.subarray((i + 1) * dObs, (i + 2) * dObs), row * dObs);
      out.actions.set(actions.values.subarray(i * dAct, (i + 1) * dAct), row * dAct);
      out.rewards[row] = rewards.values[i];
      out.terminals[row] = terminations[i];
      out.timeouts[row] = truncations[i];
      out.episodeIds[row] = episode;
      row++;
    }
    if (out.terminals[row - 1] === 0 && out.timeouts[row - 1] === 0) {
      out.timeouts[row - 1] = 1;
      warnings.push(
        `${path}: column "truncations", row ${b - 2}: episode ${episodeOf[a]} has no end flag on its last step; it is treated as truncated`,
      );
    }
  });
  return out;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false; // readTable reports the missing file
  }
}

/**
 * A Minari Arrow dataset directory: one sub-directory per episode, named by its id ("3" or
 * "episode_id=3", as pyarrow's directory or hive partitioning writes it), each holding the
 * episode's T + 1 rows in one or more Arrow/Parquet files. A `data/` sub-directory (Minari's
 * dataset root) is looked into. Episodes are taken in the order of their ids.
 */
async function loadMinariDirectory(path: string, options: LoadOptions): Promise<LoadedDatasetDetails> {
  let root = path;
  let entries = await readdir(root, { withFileTypes: true });
  if (!entries.some((entry) => entry.isDirectory() && episodeIdOfDirectory(entry.name) !== null)) {
    if (entries.some((entry) => entry.isDirectory() && entry.name === 'data')) {
      root = join(path, 'data');
      entries = await readdir(root, { withFileTypes: true });
    }
  }
  const episodes = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => ({ name: entry.name, id: episodeIdOfDirectory(entry.name) }))
    .filter((entry): entry is { name: string; id: number } => entry.id !== null)
    .sort((a, b) => a.id - b.id);
  if (episodes.length === 0) {
    throw new DatasetError(
      path,
      'is a directory without episode sub-directories; expected an Arrow IPC or Parquet file, or a Minari dataset directory (sub-directories named by episode id)',
    );
  }
  const expected = await expectedShapes(path, options, null);
  const warnings: string[] = [...expected.warnings];
  const parts: TransitionColumns[] = [];
  let fileBytes = 0;
  let format: ContainerFormat = 'arrow-file';
  for (const episode of episodes) {
    const directory = join(root, episode.name);
    const files = (await readdir(directory))
      .filter((name) => /\.(arrow|feather|arrows|ipc|parquet)$/i.test(name))
      .sort();
    if (files.length === 0)
      throw new DatasetError(directory, 'episode directory without an Arrow or Parquet file');
    const tables: Table[] = [];
    for (const file of files) {
      const read = await readTable(join(directory, file));
      fileBytes += read.bytes;
      format = read.format;
      tables.push(read.table);
    }
    const table = tables.length === 1 ? tables[0] : tables[0].concat(...tables.slice(1));
    const where = files.length === 1 ? join(directory, files[0]) : directory;
    const part = assembleMinari(where, table, expected, warnings);
    if (parts.length === 0) {
      // Every later episode must have the first one's widths.
      expected.observationWidth ??= part.observationWidth;
      expected.actionWidth ??= part.actionWidth;
      if (expected.source === 'the requested shape') expected.source = `the first episode (${where})`;
    }
    parts.push(part);
  }
  const columns = concatenateEpisodes(parts);
  warnings.push(...actionsOutOfBounds(path, columns, expected));
  return {
    path,
    columns,
    card: null,
    warnings,
    format,
    layout: 'minari',
    fileBytes,
    zeroCopyColumns: [],
    ignoredColumns: [],
    behaviourColumns: [],
  };
}

function episodeIdOfDirectory(name: string): number | null {
  const match = /^(?:episode_id=)?(\d+)$/.exec(name);
  return match ? Number(match[1]) : null;
}

/** Concatenate per-episode column blocks, renumbering episode ids consecutively. */
function concatenateEpisodes(parts: TransitionColumns[]): TransitionColumns {
  const first = parts[0];
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  const out = allocateColumns(length, first.observationWidth, first.actionWidth);
  let row = 0;
  let episodeBase = 0;
  for (const part of parts) {
    out.observations.set(part.observations, row * first.observationWidth);
    out.actions.set(part.actions, row * first.actionWidth);
    out.rewards.set(part.rewards, row);
    out.nextObservations.set(part.nextObservations, row * first.observationWidth);
    out.terminals.set(part.terminals, row);
    out.timeouts.set(part.timeouts, row);
    let maxId = -1;
    for (let i = 0; i < part.length; i++) {
      const id = part.episodeIds![i];
      out.episodeIds[row + i] = episodeBase + id;
      if (id > maxId) maxId = id;
    }
    episodeBase += maxId + 1;
    row += part.length;
  }
  return out;
}
