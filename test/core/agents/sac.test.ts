import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSacLearner, SacLearner } from '../../../core/agents/sac.js';
import {
  defaultSacConfig,
  parseSacConfig,
  sacPresets,
  type SacConfig,
} from '../../../core/agents/sac-config.js';
import type { Learner } from '../../../core/agents/types.js';
import { allocateBatch, type TransitionBatch } from '../../../core/replay/transitions.js';
import { initBackend } from '../../../core/tensor/backend.js';
import { javascriptKernels } from '../../../core/tensor/kernels.js';
import { readLatestCheckpoint, writeCheckpoint } from '../../../core/train/checkpoint.js';
import { Rng } from '../../../core/util/random.js';
import { kernelProviders } from '../../helpers/kernel-providers.js';

const OBS = 3;
const ACT = 2;
const small = (overrides: Partial<SacConfig> = {}): SacConfig =>
  parseSacConfig({ hiddenSizes: [16, 16], batchSize: 32, ...overrides });

function randomBatch(rng: Rng, size = 32): TransitionBatch {
  const batch = allocateBatch(size, OBS, ACT);
  rng.fillNormal(batch.observations);
  rng.fillNormal(batch.nextObservations);
  for (let i = 0; i < batch.actions.length; i++) batch.actions[i] = Math.tanh(rng.normal());
  for (let i = 0; i < size; i++) {
    batch.rewards[i] = rng.normal();
    batch.masks[i] = rng.uniform() < 0.1 ? 0 : 1;
    batch.weights[i] = 0.5 + rng.uniform();
    batch.indices[i] = i;
  }
  return batch;
}

const tempDirectories: string[] = [];
beforeAll(async () => {
  await initBackend();
});
afterAll(() => {
  for (const directory of tempDirectories) rmSync(directory, { recursive: true, force: true });
});

function learnerProgressOutOfRange(): void {
  new SacLearner(small(), OBS, ACT, 1, javascriptKernels).setProgress(1.5);
}

describe('SAC + ROER learner', () => {
  it('returns TD errors per row and a finite metrics record', async () => {
    const learner = await createSacLearner(small(), OBS, ACT, 1);
    const batch = randomBatch(new Rng(2));
    const { tdErrors, metrics } = learner.update(batch, 0.8);
    expect(tdErrors).toBeInstanceOf(Float32Array);
    expect(tdErrors.length).toBe(32);
    expect(tdErrors.every(Number.isFinite)).toBe(true);
    for (const [key, value] of Object.entries(metrics)) expect(Number.isFinite(value), key).toBe(true);
    expect(metrics.alpha).toBe(1);
    expect(metrics.lossWeightMin).toBeGreaterThanOrEqual(0.5);
    expect(metrics.lossWeightMax).toBeLessThanOrEqual(1.5);
    // α moves toward the target entropy −|A|/2: entropy above target → α decreases.
    const second = learner.update(batch, 0.8).metrics;
    expect(Math.sign(1 - second.alpha)).toBe(Math.sign(metrics.policyEntropy - -1));
    learner.dispose();
  });

  it('allocates its working memory in the first updates: 100 more updates, acts and Q queries add nothing', async () => {
    const learner = await createSacLearner(small(), OBS, ACT, 3);
    const rng = new Rng(4);
    const batch = randomBatch(rng);
    const step = () => {
      learner.update(randomBatch(rng), 1);
      learner.act(batch.observations, 1, false);
      learner.act(batch.observations, 20, true);
      learner.qValues(batch.observations, batch.actions, 32);
    };
    for (let i = 0; i < 20; i++) step();
    const bytes = learner.workspaceBytes;
    expect(bytes).toBeGreaterThan(0);
    for (let i = 0; i < 100; i++) step();
    expect(learner.workspaceBytes).toBe(bytes);
    learner.dispose();
    expect(() => learner.update(batch, 1)).toThrow(/disposed/);
  });

  it('a learner restored from a checkpoint makes the same next update as one that never stopped', async () => {
    const rng = new Rng(5);
    const batches = Array.from({ length: 5 }, () => randomBatch(rng));
    const original = await createSacLearner(small(), OBS, ACT, 6);
    for (const batch of batches.slice(0, 3)) original.update(batch, 0.5);
    original.act(batches[0].observations, 1, false); // consumes RNG state too

    const directory = mkdtempSync(join(tmpdir(), 'o2o-sac-'));
    tempDirectories.push(directory);
    await writeCheckpoint(directory, { step: 3, envStep: 0 }, { learner: original.getState() });
    const loaded = await readLatestCheckpoint<{ learner: Record<string, unknown> }>(directory);
    expect(loaded).toBeDefined();
    const restored = await createSacLearner(small(), OBS, ACT, 999);
    restored.setState(loaded!.state.learner);

    for (const batch of batches.slice(3)) {
      const a = original.update(batch, 0.5);
      const b = restored.update(batch, 0.5);
      expect(Array.from(b.tdErrors)).toEqual(Array.from(a.tdErrors));
      expect(b.metrics).toEqual(a.metrics);
    }
    expect(restored.act(batches[0].observations, 4, false)).toEqual(
      original.act(batches[0].observations, 4, false),
    );
    const stateA = original.getState();
    const stateB = restored.getState();
    expect(stateB.critic).toEqual(stateA.critic);
    expect(stateB.targetCritic).toEqual(stateA.targetCritic);
    expect(stateB.rng).toEqual(stateA.rng);
    original.dispose();
    restored.dispose();
  });

  it('policy averaging: the deterministic policy is the Polyak average θ̄ ← θ̄ + r·(θ − θ̄) of the actor', async () => {
    const rate = 0.1;
    const rng = new Rng(41);
    const batches = Array.from({ length: 3 }, () => randomBatch(rng));
    const averaging = await createSacLearner(small({ policyAveraging: rate }), OBS, ACT, 42);
    const plain = await createSacLearner(small(), OBS, ACT, 42);
    const actorOf = (learner: Learner) =>
      (learner.getState().actor as { parameters: Float32Array }).parameters;
    let expected = actorOf(averaging).slice();
    expect(Array.from(averaging.getState().averagedActor as Float32Array)).toEqual(Array.from(expected));
    for (const batch of batches) {
      averaging.update(batch, 0.7);
      plain.update(batch, 0.7);
      const live = actorOf(averaging);
      expected = expected.map((value, i) => value + rate * (live[i] - value));
    }
    // Averaging changes nothing the learner trains: the live actors are identical.
    expect(Array.from(actorOf(averaging))).toEqual(Array.from(actorOf(plain)));
    const averaged = averaging.getState().averagedActor as Float32Array;
    for (let i = 0; i < averaged.length; i += 97) expect(averaged[i]).toBeCloseTo(expected[i], 6);
    expect(plain.getState().averagedActor).toBeNull();

    // Deterministic actions and the exported layers use θ̄; sampled actions use θ.
    const observations = batches[0].observations;
    const deterministic = averaging.act(observations, 8, true).actions;
    expect(Array.from(deterministic)).not.toEqual(Array.from(plain.act(observations, 8, true).actions));
    const first = averaging.policyLayers()[0];
    const inputs = OBS * first.outputSize;
    expect(Array.from(first.weight)).toEqual(Array.from(averaged.subarray(0, inputs)));
    expect(averaging.act(observations, 8, false).actions).toEqual(plain.act(observations, 8, false).actions);

    // The average survives a save and restore; a state without one starts it at the live actor.
    const restored = await createSacLearner(small({ policyAveraging: rate }), OBS, ACT, 7);
    restored.setState(averaging.getState());
    expect(restored.act(observations, 8, true).actions).toEqual(deterministic);
    restored.setState(plain.getState());
    expect(restored.act(observations, 8, true).actions).toEqual(plain.act(observations, 8, true).actions);

    // explorationActor 'averaged': sampled actions come from θ̄ (mean and σ heads), as a learner
    // whose live actor is θ̄ samples them with the same noise.
    const exploring = await createSacLearner(
      small({ policyAveraging: rate, explorationActor: 'averaged' }),
      OBS,
      ACT,
      42,
    );
    exploring.setState(averaging.getState());
    const mirror = await createSacLearner(small(), OBS, ACT, 42);
    const state = averaging.getState();
    mirror.setState({
      ...state,
      actor: { ...(state.actor as object), parameters: state.averagedActor },
      averagedActor: null,
    });
    const sampled = exploring.act(observations, 8, false).actions;
    expect(sampled).toEqual(mirror.act(observations, 8, false).actions);
    expect(Array.from(sampled)).not.toEqual(Array.from(averaging.act(observations, 8, false).actions));
    for (const learner of [averaging, plain, restored, exploring, mirror]) learner.dispose();
  });

  it('rejects a state of another shape with a message naming the field', async () => {
    const a = await createSacLearner(small(), OBS, ACT, 1);
    const b = await createSacLearner(small({ hiddenSizes: [8, 8] }), OBS, ACT, 1);
    expect(() => b.setState(a.getState())).toThrow(/learner state: hiddenSizes/);
    const state = a.getState();
    (state.actor as { parameters: Float32Array }).parameters = new Float32Array(3);
    expect(() => a.setState(state)).toThrow(/actor.parameters has 3 values/);
    a.dispose();
    b.dispose();
  });

  it('acts in [−1, 1]; deterministic actions are repeatable and equal the exported policy layers', async () => {
    const learner = await createSacLearner(small(), OBS, ACT, 7);
    const rng = new Rng(8);
    for (let i = 0; i < 3; i++) learner.update(randomBatch(rng), 1);
    const observations = rng.fillNormal(new Float32Array(40 * OBS));
    for (const count of [1, 40]) {
      const stochastic = learner.act(observations, count, false).actions;
      expect(stochastic.length).toBe(count * ACT);
      expect(stochastic.every((v) => v >= -1 && v <= 1)).toBe(true);
      expect(learner.act(observations, count, true)).toEqual(learner.act(observations, count, true));
    }
    const layers = learner.policyLayers();
    expect(layers.map((layer) => layer.activation)).toEqual(['relu', 'relu', 'tanh']);
    expect(layers.at(-1)!.outputSize).toBe(ACT);
    // The exported layers applied by hand: x·W + b, ReLU … tanh.
    let exported = observations;
    for (const layer of layers) {
      const out = new Float32Array(40 * layer.outputSize);
      javascriptKernels.dense(
        exported,
        layer.weight,
        layer.bias,
        out,
        40,
        layer.inputSize,
        layer.outputSize,
        layer.activation === 'relu',
      );
      exported = layer.activation === 'tanh' ? out.map(Math.tanh) : out;
    }
    const acted = learner.act(observations, 40, true).actions;
    exported.forEach((value, i) => expect(acted[i]).toBeCloseTo(value, 5));
    learner.dispose();
  });

  it('explorationNoiseScale c samples tanh(μ + c·σ·ε): the pre-tanh deviation from the mean scales by c, 0 acts with the mean', async () => {
    const rng = new Rng(8);
    const batches = [randomBatch(rng), randomBatch(rng)];
    const observations = rng.fillNormal(new Float32Array(16 * OBS));
    const learners = await Promise.all(
      [1, 0.25, 0].map((scale) => createSacLearner(small({ explorationNoiseScale: scale }), OBS, ACT, 5)),
    );
    for (const learner of learners) for (const batch of batches) learner.update(batch, 1);
    const mean = learners[0].act(observations, 16, true).actions;
    // The same seed draws the same ε, so only the scale differs between the learners.
    const [full, quarter, none] = learners.map((learner) => learner.act(observations, 16, false).actions);
    expect(Array.from(none)).toEqual(Array.from(mean));
    let spread = 0;
    for (let i = 0; i < full.length; i++) {
      const deviation = Math.atanh(full[i]) - Math.atanh(mean[i]);
      expect(Math.atanh(quarter[i]) - Math.atanh(mean[i])).toBeCloseTo(0.25 * deviation, 3);
      spread += Math.abs(deviation);
    }
    expect(spread / full.length).toBeGreaterThan(0.01);
    expect(() => parseSacConfig({ explorationNoiseScale: 1.5 })).toThrow(/agent\.explorationNoiseScale/);
    for (const learner of learners) learner.dispose();
  });

  it("actorLearningRateSchedule 'cosine' scales the actor's step by ½(1 + cos(π·p)) and leaves the critics' rate alone", async () => {
    const batch = randomBatch(new Rng(30));
    const step = async (schedule: 'constant' | 'cosine', progress: number) => {
      const learner = await createSacLearner(small({ actorLearningRateSchedule: schedule }), OBS, ACT, 31);
      const before = learner.policyLayers().map((layer) => Float32Array.from(layer.weight));
      const qBefore = learner.qValues(batch.observations, batch.actions, 32);
      learner.setProgress(progress);
      learner.update(batch, 1);
      const after = learner.policyLayers().map((layer) => layer.weight);
      const qAfter = learner.qValues(batch.observations, batch.actions, 32);
      learner.dispose();
      return {
        actor: before.flatMap((weights, l) => Array.from(weights, (w, i) => after[l][i] - w)),
        critic: Array.from(qAfter, (q, i) => q - qBefore[i]),
      };
    };
    const constant = await step('constant', 0.5);
    const half = await step('cosine', 0.5);
    const end = await step('cosine', 1);
    // Adam's first step is η·g/(|g| + ε), so the actor moves by the rate itself: half as far at p = ½.
    let moved = 0;
    constant.actor.forEach((delta, i) => {
      expect(half.actor[i]).toBeCloseTo(0.5 * delta, 6);
      moved += Math.abs(delta);
    });
    expect(moved).toBeGreaterThan(0);
    expect(end.actor.every((delta) => delta === 0)).toBe(true);
    // The critics take the same step under every actor schedule.
    expect(end.critic).toEqual(constant.critic);
    expect(() => learnerProgressOutOfRange()).toThrow(/progress/);
  });

  it('with tdSource "q" returns y − min Q(s, a) as TD errors (the value net still trains)', async () => {
    const learner = (await createSacLearner(small({ tdSource: 'q' }), OBS, ACT, 9)) as SacLearner;
    const batch = randomBatch(new Rng(10));
    // Zero discount makes the TD target the reward: δ = r − min Q(s, a) before the update.
    (learner.config as { discount: number }).discount = 0;
    const qBefore = learner.qValues(batch.observations, batch.actions, 32);
    const { tdErrors, metrics } = learner.update(batch, 1);
    expect(Number.isFinite(metrics.valueLoss)).toBe(true);
    tdErrors.forEach((delta, i) => expect(delta).toBeCloseTo(batch.rewards[i] - qBefore[i], 4));
    learner.dispose();
  });

  it('uses the batch weights as per-sample critic-loss weights', async () => {
    const batch = randomBatch(new Rng(11));
    const run = async (weights: number) => {
      const learner: Learner = await createSacLearner(small({ gradientPenalty: 0 }), OBS, ACT, 12);
      batch.weights.fill(weights);
      const metrics = learner.update(batch, 1).metrics;
      learner.dispose();
      return metrics.criticLoss;
    };
    const one = await run(1);
    const three = await run(3);
    expect(three).toBeCloseTo(3 * one, 4);
  });
});

describe('SAC + ROER learner on every kernel provider', async () => {
  const providers = await kernelProviders();
  const reference = providers[0];
  const compiled = providers.slice(1);

  it.each(compiled)(
    '$name agrees with the JavaScript reference on full updates within float tolerance',
    ({ kernels }) => {
      const config = small({ hiddenSizes: [32, 32] });
      const a = new SacLearner(config, OBS, ACT, 21, reference.kernels);
      const b = new SacLearner(config, OBS, ACT, 21, kernels);
      const rng = new Rng(22);
      for (let i = 0; i < 5; i++) {
        const batch = randomBatch(rng);
        const ra = a.update(batch, 0.7);
        const rb = b.update(batch, 0.7);
        for (let r = 0; r < batch.size; r++) expect(rb.tdErrors[r]).toBeCloseTo(ra.tdErrors[r], 3);
        expect(rb.metrics.criticLoss).toBeCloseTo(ra.metrics.criticLoss, 3);
      }
      const sa = a.getState() as {
        critic: { parameters: Float32Array };
        actor: { parameters: Float32Array };
      };
      const sb = b.getState() as typeof sa;
      let worst = 0;
      for (let i = 0; i < sa.critic.parameters.length; i++) {
        worst = Math.max(worst, Math.abs(sa.critic.parameters[i] - sb.critic.parameters[i]));
      }
      expect(worst).toBeLessThan(1e-4);
    },
  );

  it.each(compiled)('a checkpoint written on $name resumes on every other provider', async ({ kernels }) => {
    const config = small();
    const writer = new SacLearner(config, OBS, ACT, 31, kernels);
    const rng = new Rng(32);
    for (let i = 0; i < 3; i++) writer.update(randomBatch(rng), 1);
    const directory = mkdtempSync(join(tmpdir(), 'o2o-sac-'));
    tempDirectories.push(directory);
    await writeCheckpoint(directory, { step: 3, envStep: 0 }, { learner: writer.getState() });
    const state = (await readLatestCheckpoint<{ learner: Record<string, unknown> }>(directory))!.state
      .learner;
    const next = randomBatch(rng);
    const expected = writer.update(next, 1);
    for (const other of providers) {
      const reader = new SacLearner(config, OBS, ACT, 0, other.kernels);
      reader.setState(state);
      const got = reader.update(next, 1);
      for (let r = 0; r < next.size; r++) expect(got.tdErrors[r]).toBeCloseTo(expected.tdErrors[r], 3);
    }
  });
});

describe('SAC config', () => {
  it('has the official defaults', () => {
    const config = defaultSacConfig();
    expect(config.hiddenSizes).toEqual([256, 256]);
    expect(config.discount).toBe(0.99);
    expect(config.tau).toBe(0.005);
    expect(config.huberDelta).toBe(20);
    expect(config.valueExpClip).toBe(7);
    expect(config.targetEntropyScale).toBe(0.5);
    expect(config.valueLossExtension).toBe('official');
  });

  it('names the key path of a bad value and rejects unknown keys', () => {
    expect(() => parseSacConfig({ tau: 2 })).toThrow(/agent\.tau/);
    expect(() => parseSacConfig({ hiddenSizes: [256, -1] }, 'run.agent')).toThrow(
      /run\.agent\.hiddenSizes\.1/,
    );
    expect(() => parseSacConfig({ learningRate: 1 })).toThrow(/learningRate/);
    expect(() => parseSacConfig({ logStdMin: 3, logStdMax: 2 })).toThrow(/agent\.logStdMin/);
  });

  it('every preset is a valid partial config', () => {
    for (const [name, preset] of Object.entries(sacPresets)) {
      expect(() => parseSacConfig(preset), name).not.toThrow();
    }
  });
});

describe('SAC + ROER learner on bad input', () => {
  it('refuses a non-finite step with a clear message and keeps its weights', async () => {
    const learner = await createSacLearner(small(), OBS, ACT, 13);
    const batch = randomBatch(new Rng(14));
    const before = learner.getState();
    batch.rewards[3] = Number.NaN;
    expect(() => learner.update(batch, 1)).toThrow(/critic loss or gradient is not finite at update 1/);
    expect(learner.getState().critic).toEqual(before.critic);
    learner.dispose();
  });
});
