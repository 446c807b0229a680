import { describe, expect, it } from 'vitest';
import { measureReferenceScores } from '../../../core/data/reference.js';
import { normalizedScore } from '../../../core/envs/normalized-score.js';
import { envSpec, listEnvs, makeEnv } from '../../../core/envs/registry.js';

describe('reference scores', () => {
  it('the constants the environments carry are what the measurement gives (100 episodes each)', () => {
    // The MuJoCo tasks have no scripted expert; their random references are checked in test/core/envs/mujoco.
    for (const { id } of listEnvs().filter((listing) => !envSpec(listing.id).runtime)) {
      const measured = measureReferenceScores(id, 100, 0);
      const carried = makeEnv(id).referenceScores;
      expect(carried, id).toBeDefined();
      expect(carried!.min, id).toBeCloseTo(measured.min, 1);
      expect(carried!.max, id).toBeCloseTo(measured.max, 1);
    }
  });

  it('normalises D4RL-style: 0 at the minimum, 100 at the maximum', () => {
    expect(normalizedScore(-1283.75, { min: -1283.75, max: -159.35 })).toBe(0);
    expect(normalizedScore(-159.35, { min: -1283.75, max: -159.35 })).toBeCloseTo(100, 10);
    expect(normalizedScore(0.5, { min: 0, max: 1 })).toBe(50);
  });
});
