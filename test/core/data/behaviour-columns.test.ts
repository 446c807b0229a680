/**
 * The behaviour columns of a dataset: what generation records (and that it matches the behaviour
 * that acted), that they survive the file and the checksum, and what the loader refuses.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Bool,
  Field,
  Float32,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableToIPC,
  type Data,
} from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { transitionsSha256 } from '../../../core/data/checksum.js';
import { collectRollouts, generateDataset } from '../../../core/data/generate.js';
import { logNormalCdf } from '../../../core/data/behaviour-law.js';
import { loadDataset } from '../../../core/data/load.js';
import { DatasetError } from '../../../core/data/types.js';
import { encodeDataset, matrixData, packBits } from '../../../core/data/write.js';
import type { TransitionColumns } from '../../../core/replay/transitions.js';
import type { DatasetCard } from '../../../core/common/dataset-card.js';

const scratch = mkdtempSync(join(tmpdir(), 'o2o-behaviour-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const createdAt = '2026-01-01T00:00:00.000Z';

function mainColumns(columns: TransitionColumns) {
  const { extras: _extras, ...rest } = columns;
  return rest;
}

describe('generation records the law the behaviour acted by', () => {
  it('discrete: (1 − ε)·controller + ε/|A|, and the recorded actions follow it', async () => {
    const epsilon = 0.4;
    const options = {
      envId: 'cartpole-v1',
      policy: 'scripted' as const,
      episodes: 40,
      seed: 3,
      randomActionRate: epsilon,
    };
    const recorded = await collectRollouts(options);
    const plain = await collectRollouts({ ...options, behaviourColumns: false });
    // Recording changes nothing about the rollouts.
    expect(plain.columns.extras).toBeUndefined();
    expect(mainColumns(recorded.columns)).toEqual(mainColumns(plain.columns));

    const { length, actions } = recorded.columns;
    const probs = recorded.columns.extras!.behaviourProbs;
    const logProbs = recorded.columns.extras!.behaviourLogProb;
    expect(probs.length).toBe(2 * length);
    let offController = 0;
    for (let i = 0; i < length; i++) {
      const row = [probs[2 * i], probs[2 * i + 1]].map((p) => Number(p.toFixed(6))).sort();
      expect(row).toEqual([0.2, 0.8]);
      const controller = probs[2 * i] > probs[2 * i + 1] ? 0 : 1;
      if (actions[i] !== controller) offController++;
      expect(logProbs[i]).toBeCloseTo(Math.log(probs[2 * i + actions[i]]), 5);
    }
    // The controller's action is replaced by the other one with probability ε/2 = 0.2.
    expect(length).toBeGreaterThan(2000);
    expect(Math.abs(offController / length - epsilon / 2)).toBeLessThan(0.03);
  });

  it('Box: the clipped Gaussian around the controller, calibrated against the clipped actions', async () => {
    const recorded = await collectRollouts({
      envId: 'pointmaze-umaze-v1',
      policy: 'scripted',
      episodes: 12,
      seed: 4,
      noise: 0.3,
    });
    const { length, actions } = recorded.columns;
    const {
      behaviourMean: mean,
      behaviourLogStd: logStd,
      behaviourLogProb: logProb,
    } = recorded.columns.extras!;
    expect(logStd.every((value) => value === Math.fround(Math.log(0.3)))).toBe(true);
    // The share of components clipped at a bound matches the mass the recorded law puts there.
    let clipped = 0;
    let expected = 0;
    for (let k = 0; k < actions.length; k++) {
      if (Math.abs(actions[k]) >= 1) clipped++;
      expected += Math.exp(logNormalCdf((-1 - mean[k]) / 0.3)) + Math.exp(logNormalCdf((mean[k] - 1) / 0.3));
    }
    expect(expected / actions.length).toBeGreaterThan(0.05);
    expect(Math.abs(clipped - expected) / actions.length).toBeLessThan(0.02);
    // Inside the bounds, the standardised noise z = (a − m)/σ follows N(0, 1) truncated to
    // (α, β) = ((−1 − m)/σ, (1 − m)/σ): with Z = Φ(β) − Φ(α), E z = (φ(α) − φ(β))/Z and
    // E z² = 1 + (αφ(α) − βφ(β))/Z.
    const phi = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
    let count = 0;
    let observed = 0;
    let truncatedMean = 0;
    let observedSquares = 0;
    let truncatedSquares = 0;
    for (let k = 0; k < actions.length; k++) {
      if (Math.abs(actions[k]) >= 1) continue;
      const [alpha, beta] = [(-1 - mean[k]) / 0.3, (1 - mean[k]) / 0.3];
      count++;
      const z = (actions[k] - mean[k]) / 0.3;
      const mass = Math.exp(logNormalCdf(beta)) - Math.exp(logNormalCdf(alpha));
      observed += z;
      observedSquares += z * z;
      truncatedMean += (phi(alpha) - phi(beta)) / mass;
      truncatedSquares += 1 + (alpha * phi(alpha) - beta * phi(beta)) / mass;
    }
    expect(count).toBeGreaterThan(500);
    expect(Math.abs(observed - truncatedMean) / count).toBeLessThan(0.05);
    expect(Math.abs(observedSquares - truncatedSquares) / count).toBeLessThan(0.08);
    expect(logProb.length).toBe(length);
    expect(logProb.every(Number.isFinite)).toBe(true);
  });

  it('records nothing for a deterministic behaviour', async () => {
    const rollouts = await collectRollouts({
      envId: 'cartpole-v1',
      policy: 'scripted',
      episodes: 2,
      seed: 1,
    });
    expect(rollouts.columns.extras).toBeUndefined();
  });
});

describe('behaviour columns in the file', () => {
  it('round-trip through the file and its checksum, listed as behaviour columns and not as ignored', async () => {
    const out = join(scratch, 'cartpole.arrow');
    const options = { envId: 'cartpole-v1', policy: 'random' as const, episodes: 5, seed: 2, createdAt };
    const summary = await generateDataset({ ...options, out });
    expect(summary.behaviourColumns).toEqual(['infos/action_log_probs', 'infos/action_probs']);
    expect(summary.ignoredColumns).toEqual([]);
    const loaded = await loadDataset(out, { envId: 'cartpole-v1' });
    const { columns } = await collectRollouts(options);
    expect(loaded.columns.extras!.behaviourProbs).toEqual(columns.extras!.behaviourProbs);
    expect(loaded.columns.extras!.behaviourLogProb).toEqual(columns.extras!.behaviourLogProb);
    expect(Array.from(loaded.columns.extras!.behaviourProbs.slice(0, 2))).toEqual([0.5, 0.5]);
  });

  it('are covered by the data checksum; a file without them hashes as before', () => {
    const base = {
      observations: Float32Array.of(1, 2),
      actions: Float32Array.of(0, 1),
      rewards: Float32Array.of(1, 1),
      nextObservations: Float32Array.of(2, 3),
      terminals: Uint8Array.of(0, 1),
      timeouts: Uint8Array.of(0, 0),
    };
    const plain = transitionsSha256(base);
    expect(transitionsSha256({ ...base, extras: {} })).toBe(plain);
    // Columns that are not behaviour statistics (e.g. Cal-QL's return-to-go) are not part of the file.
    expect(transitionsSha256({ ...base, extras: { returnToGo: Float32Array.of(1, 2) } })).toBe(plain);
    const probs = Float32Array.of(0.5, 0.5, 0.25, 0.75);
    const withProbs = transitionsSha256({ ...base, extras: { behaviourProbs: probs } });
    expect(withProbs).not.toBe(plain);
    expect(
      transitionsSha256({ ...base, extras: { behaviourProbs: Float32Array.of(0.5, 0.5, 0.75, 0.25) } }),
    ).not.toBe(withProbs);
  });

  it('stay aligned with the rows the loader keeps when it derives next observations', async () => {
    // Five rows, no next_observations: row 2 ends an episode by timeout and is dropped (its successor
    // is unknown); the log-probability column carries each row's index so the alignment shows.
    const rows = 5;
    const fields: [string, Data][] = [
      ['observations', matrixData(Float32Array.of(0, 1, 2, 3, 4), rows, 1)],
      ['actions', matrixData(Float32Array.of(0, 0, 0, 0, 0), rows, 1)],
      [
        'rewards',
        makeData({ type: new Float32(), length: rows, nullCount: 0, data: new Float32Array(rows) }),
      ],
      [
        'terminals',
        makeData({
          type: new Bool(),
          length: rows,
          nullCount: 0,
          data: packBits(Uint8Array.of(0, 0, 0, 0, 1)),
        }),
      ],
      [
        'timeouts',
        makeData({
          type: new Bool(),
          length: rows,
          nullCount: 0,
          data: packBits(Uint8Array.of(0, 0, 1, 0, 0)),
        }),
      ],
      [
        'infos/action_log_probs',
        makeData({
          type: new Float32(),
          length: rows,
          nullCount: 0,
          data: Float32Array.of(-0, -1, -2, -3, -4),
        }),
      ],
    ];
    const schema = new Schema(fields.map(([name, data]) => new Field(name, data.type, false)));
    const struct = makeData({
      type: new Struct(schema.fields),
      length: rows,
      nullCount: 0,
      children: fields.map(([, data]) => data),
    });
    const path = join(scratch, 'derived.arrow');
    writeFileSync(path, tableToIPC(new Table(schema, [new RecordBatch(schema, struct)]), 'file'));
    const loaded = await loadDataset(path);
    expect(Array.from(loaded.columns.observations)).toEqual([0, 1, 3, 4]);
    expect(Array.from(loaded.columns.extras!.behaviourLogProb, (v) => v + 0)).toEqual([0, -1, -3, -4]);
  });
});

describe('what the loader refuses', () => {
  const card: DatasetCard = {
    formatVersion: 1,
    envId: 'cartpole-v1',
    behaviorPolicy: 'test',
    seed: 0,
    episodes: 1,
    steps: 2,
    referenceMinScore: null,
    referenceMaxScore: null,
    author: 'test',
    createdAt,
  };
  function columns(
    extras: Record<string, Float32Array>,
    actions = Float32Array.of(0, 1),
    actionWidth = 1,
  ): TransitionColumns {
    return {
      length: 2,
      observationWidth: 4,
      actionWidth,
      observations: new Float32Array(8),
      actions,
      rewards: Float32Array.of(1, 1),
      nextObservations: new Float32Array(8),
      terminals: Uint8Array.of(0, 1),
      timeouts: Uint8Array.of(0, 0),
      extras,
    };
  }
  async function refusal(
    name: string,
    data: TransitionColumns,
    envId = 'cartpole-v1',
  ): Promise<DatasetError> {
    const path = join(scratch, `${name}.arrow`);
    writeFileSync(path, encodeDataset(data, { ...card, envId }));
    const error = await loadDataset(path, { envId }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(DatasetError);
    return error as DatasetError;
  }

  it('probabilities that are not a distribution, name the row', async () => {
    const error = await refusal('sum', columns({ behaviourProbs: Float32Array.of(0.5, 0.5, 0.5, 0.7) }));
    expect(error.column).toBe('infos/action_probs');
    expect(error.row).toBe(1);
    expect(error.message).toMatch(
      /the probabilities sum to 1\.2; expected 1 \(a distribution over the 2 actions\)/,
    );
  });

  it('probabilities of the wrong width for the environment', async () => {
    const error = await refusal(
      'width',
      columns({ behaviourProbs: Float32Array.of(0.2, 0.3, 0.5, 0.2, 0.3, 0.5) }),
    );
    expect(error.message).toMatch(/infos\/action_probs.*wrong width: 3 values per row; expected 2/);
  });

  it('an action the recorded behaviour gives probability 0', async () => {
    const error = await refusal('zero', columns({ behaviourProbs: Float32Array.of(1, 0, 1, 0) }));
    expect(error.row).toBe(1);
    expect(error.message).toMatch(/recorded action 1 has probability 0/);
  });

  it('log probabilities that contradict the probabilities', async () => {
    const error = await refusal(
      'contradiction',
      columns({
        behaviourProbs: Float32Array.of(0.5, 0.5, 0.5, 0.5),
        behaviourLogProb: Float32Array.of(Math.log(0.5), Math.log(0.9)),
      }),
    );
    expect(error.column).toBe('infos/action_log_probs');
    expect(error.row).toBe(1);
    expect(error.message).toMatch(/contradicts "infos\/action_probs"/);
  });

  it('probabilities for a Box environment, a mean without its log σ, and a NaN', async () => {
    const box = (extras: Record<string, Float32Array>) => ({
      ...columns(extras, Float32Array.of(0.5, -0.5)),
      observationWidth: 3,
      observations: new Float32Array(6),
      nextObservations: new Float32Array(6),
    });
    expect(
      (
        await refusal(
          'box-probs',
          box({ behaviourProbs: Float32Array.of(0.5, 0.5, 0.5, 0.5) }),
          'pendulum-v1',
        )
      ).message,
    ).toMatch(/continuous \(Box\) actions; expected "infos\/action_mean" and "infos\/action_log_std"/);
    const lonely = await refusal('mean-only', box({ behaviourMean: Float32Array.of(0, 0) }), 'pendulum-v1');
    expect(lonely.column).toBe('infos/action_log_std');
    expect(lonely.message).toMatch(
      /"infos\/action_mean" describes a Gaussian behaviour only together with "infos\/action_log_std"/,
    );
    const nan = await refusal(
      'nan',
      box({ behaviourMean: Float32Array.of(0, NaN), behaviourLogStd: Float32Array.of(0, 0) }),
      'pendulum-v1',
    );
    expect(nan.column).toBe('infos/action_mean');
    expect(nan.row).toBe(1);
    expect(nan.message).toMatch(/NaN; expected finite numbers/);
  });
});
