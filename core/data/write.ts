/**
 * Write transition columns as a D4RL-layout Arrow IPC file (file format, one record batch):
 * observations, actions and next_observations as fixed-size lists of float32, rewards float32,
 * terminals and timeouts boolean, the behaviour columns the data has (infos/action_log_probs and
 * the others of core/data/behaviour-columns.ts, float32), and the dataset card as JSON in the schema metadata, with the
 * SHA-256 of the data filled in (`dataSha256`, core/data/checksum.ts).
 * The write is atomic: readers see the old file or the complete new one.
 */
import {
  Bool,
  Field,
  FixedSizeList,
  Float32,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableToIPC,
  type Data,
  type DataType,
} from 'apache-arrow';
import type { TransitionColumns } from '../replay/transitions.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { CARD_METADATA_KEY, serializeCard, validateCard } from './card.js';
import { BEHAVIOUR_FILE_COLUMNS, behaviourColumnsOf } from './behaviour-columns.js';
import { transitionsSha256 } from './checksum.js';
import type { DatasetCard } from '../common/dataset-card.js';

/** An [rows × width] float32 matrix as a non-nullable fixed-size-list column. */
export function matrixData(values: Float32Array, rows: number, width: number): Data<FixedSizeList<Float32>> {
  const child = makeData({ type: new Float32(), length: rows * width, nullCount: 0, data: values });
  return makeData({
    type: new FixedSizeList(width, new Field('item', new Float32(), false)),
    length: rows,
    nullCount: 0,
    child,
  });
}

/** Pack 0/1 bytes into an LSB-first bitmap (Arrow's boolean layout). */
export function packBits(flags: Uint8Array): Uint8Array {
  const bits = new Uint8Array(Math.ceil(flags.length / 8));
  for (let i = 0; i < flags.length; i++) if (flags[i] !== 0) bits[i >> 3] |= 1 << (i & 7);
  return bits;
}

function checkShapes(columns: TransitionColumns): void {
  const { length: n, observationWidth: dObs, actionWidth: dAct } = columns;
  const expect = (name: string, actual: number, wanted: number) => {
    if (actual !== wanted)
      throw new RangeError(`writeDataset: ${name} has ${actual} values, expected ${wanted}`);
  };
  expect('observations', columns.observations.length, n * dObs);
  expect('nextObservations', columns.nextObservations.length, n * dObs);
  expect('actions', columns.actions.length, n * dAct);
  expect('rewards', columns.rewards.length, n);
  expect('terminals', columns.terminals.length, n);
  expect('timeouts', columns.timeouts.length, n);
  for (const [name, values] of behaviourColumnsOf(columns.extras)) {
    if (values.length === 0 || values.length % Math.max(1, n) !== 0)
      throw new RangeError(`writeDataset: ${name} has ${values.length} values, expected a multiple of ${n}`);
  }
}

/** Encode columns and card as the bytes of an Arrow IPC file (deterministic for equal inputs). */
export function encodeDataset(columns: TransitionColumns, card: DatasetCard): Uint8Array {
  checkShapes(columns);
  const checkedCard = validateCard({ ...card, dataSha256: transitionsSha256(columns) });
  const n = columns.length;
  const fields: [string, Data<DataType>][] = [
    ['observations', matrixData(columns.observations, n, columns.observationWidth)],
    ['actions', matrixData(columns.actions, n, columns.actionWidth)],
    ['rewards', makeData({ type: new Float32(), length: n, nullCount: 0, data: columns.rewards })],
    ['next_observations', matrixData(columns.nextObservations, n, columns.observationWidth)],
    ['terminals', makeData({ type: new Bool(), length: n, nullCount: 0, data: packBits(columns.terminals) })],
    ['timeouts', makeData({ type: new Bool(), length: n, nullCount: 0, data: packBits(columns.timeouts) })],
  ];
  for (const [name, values] of behaviourColumnsOf(columns.extras)) {
    const width = values.length / n;
    fields.push([
      BEHAVIOUR_FILE_COLUMNS[name],
      width === 1
        ? makeData({ type: new Float32(), length: n, nullCount: 0, data: values })
        : matrixData(values, n, width),
    ]);
  }
  const schema = new Schema(
    fields.map(([name, data]) => new Field(name, data.type, false)),
    new Map([[CARD_METADATA_KEY, serializeCard(checkedCard)]]),
  );
  const struct = makeData({
    type: new Struct(schema.fields),
    length: n,
    nullCount: 0,
    children: fields.map(([, data]) => data),
  });
  const table = new Table(schema, [new RecordBatch(schema, struct)]);
  return tableToIPC(table, 'file');
}

/** Write `columns` with `card` to `path` atomically (Arrow IPC file format). */
export async function writeDataset(
  path: string,
  columns: TransitionColumns,
  card: DatasetCard,
): Promise<void> {
  await writeFileAtomic(path, encodeDataset(columns, card));
}
