import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConfigError,
  loadRunConfigFile,
  onlineObjectiveOf,
  parseRunConfig,
  validateRunConfig,
} from '../../../core/train/config.js';
import { listPresets, presetConfig, PresetError } from '../../../core/train/presets.js';
import { LARGE_RECIPES } from '../../../datasets/recipes.js';

let directory: string;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'o2o-config-'));
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

const minimal = { env: { id: 'pendulum-v1' }, dataset: { path: 'data.arrow' } };

describe('run config', () => {
  it('fills every default from a minimal config', () => {
    const config = parseRunConfig(minimal);
    expect(config.seed).toBe(0);
    expect(config.agent.kind).toBe('sac');
    if (config.agent.kind !== 'sac') throw new Error('the default learner is SAC');
    expect(config.agent.batchSize).toBe(256);
    expect(config.agent.hiddenSizes).toEqual([256, 256]);
    expect(config.replay).toMatchObject({
      priority: 'roer',
      mode: 'weight',
      mixing: 'union',
      roerLambda: 0.01,
    });
    expect(config.beta).toMatchObject({ kind: 'track', initialBeta: 1, targetEssFraction: 0.5 });
    expect(config.offline.steps).toBe(10_000);
    expect(config.online.updatesPerStep).toBe(1);
    expect(config.dataset?.normalizeObservations).toBe(true);
    expect(config.checkpoint.interval).toBe(10_000);
    expect(config.checkpoint.keep).toBe(2);
  });

  it("resolves online.objective 'auto': the offline objective goes on after an offline phase, SAC without one", () => {
    expect(parseRunConfig(minimal).online.objective).toBe('auto');
    expect(onlineObjectiveOf(parseRunConfig(minimal))).toBe('offline');
    const prefillOnly = parseRunConfig({ ...minimal, offline: { steps: 0 } });
    expect(onlineObjectiveOf(prefillOnly)).toBe('sac');
    const scratch = parseRunConfig({
      env: { id: 'pendulum-v1' },
      offline: { steps: 0 },
      online: { warmupSteps: 1000 },
    });
    expect(onlineObjectiveOf(scratch)).toBe('sac');
    for (const objective of ['sac', 'offline'] as const) {
      expect(onlineObjectiveOf(parseRunConfig({ ...minimal, online: { objective } }))).toBe(objective);
      expect(
        onlineObjectiveOf(parseRunConfig({ ...minimal, offline: { steps: 0 }, online: { objective } })),
      ).toBe(objective);
    }
  });

  it('keeps at least one checkpoint', () => {
    const result = validateRunConfig({ ...minimal, checkpoint: { keep: 0 } });
    expect(result.ok).toBe(false);
    expect(result.issues.map((issue) => issue.path)).toEqual(['checkpoint.keep']);
  });

  it('names the key path of unknown keys and bad values', () => {
    const result = validateRunConfig({
      ...minimal,
      bogus: 1,
      replay: { priority: 'rank', extra: true },
      beta: { targetEssFraction: 1.5 },
      agent: { batchSize: -3 },
    });
    expect(result.ok).toBe(false);
    const paths = result.issues.map((issue) => issue.path);
    expect(paths).toContain('bogus');
    expect(paths).toContain('replay.extra');
    expect(paths).toContain('replay.priority');
    expect(paths).toContain('beta.targetEssFraction');
    expect(paths).toContain('agent.batchSize');
    expect(result.issues.find((issue) => issue.path === 'replay.priority')?.message).toMatch(
      /uniform|per|roer/,
    );
    expect(result.issues.find((issue) => issue.path === 'bogus')?.message).toMatch(/unknown key/);
  });

  it('requires env.id', () => {
    expect(validateRunConfig({}).issues.map((issue) => issue.path)).toContain('env');
  });

  it('checks the sections against each other', () => {
    const noDataset = validateRunConfig({ env: { id: 'pendulum-v1' } });
    expect(noDataset.issues.map((issue) => issue.path)).toEqual(['offline.steps', 'online.warmupSteps']);
    const nothing = validateRunConfig({ ...minimal, offline: { steps: 0 }, online: { envSteps: 0 } });
    expect(nothing.issues.map((issue) => issue.path)).toEqual(['online.envSteps']);
    const betaBounds = validateRunConfig({ ...minimal, beta: { betaMin: 2, betaMax: 1, initialBeta: 1.5 } });
    expect(betaBounds.issues.map((issue) => issue.path)).toContain('beta.betaMin');
    const fromScratch = validateRunConfig({
      env: { id: 'pendulum-v1' },
      offline: { steps: 0 },
      online: { warmupSteps: 1000 },
    });
    expect(fromScratch.ok).toBe(true);
  });

  it('refuses every out-of-range setting at validation, with its key path (the schema is the only range check)', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ replay: { roerMaxClip: 0.5 } }, 'replay.roerMaxClip'],
      [{ replay: { roerMinClip: 0 } }, 'replay.roerMinClip'],
      [{ replay: { roerMinClip: 10, roerMaxClip: 5 } }, 'replay.roerMinClip'],
      [{ replay: { offlineFraction: 1.5 } }, 'replay.offlineFraction'],
      [{ offline: { expectile: 1 } }, 'offline.expectile'],
      [{ offline: { expectile: 0 } }, 'offline.expectile'],
      [{ offline: { awrTemperature: 0 } }, 'offline.awrTemperature'],
      [{ offline: { awrTemperature: 'warm' } }, 'offline.awrTemperature'],
      [{ offline: { awrTargetEss: 1 } }, 'offline.awrTargetEss'],
      [{ offline: { awrTargetEss: 0 } }, 'offline.awrTargetEss'],
      [{ offline: { awrWeightClip: 1 } }, 'offline.awrWeightClip'],
      [{ offline: { objective: 'bcq' } }, 'offline.objective'],
      [{ offline: { cqlWeight: 0 } }, 'offline.cqlWeight'],
      [{ offline: { cqlSamples: 0 } }, 'offline.cqlSamples'],
      [{ reward: { scale: 0 } }, 'reward.scale'],
      [{ threads: 0 }, 'threads'],
      [{ backend: 'gpu' }, 'backend'],
      [{ online: { warmupSteps: 100, criticWarmupSteps: 100 } }, 'online.criticWarmupSteps'],
    ];
    for (const [override, path] of cases) {
      const merged = { ...minimal, ...override };
      const result = validateRunConfig(merged);
      expect(result.ok, path).toBe(false);
      expect(
        result.issues.map((issue) => issue.path),
        JSON.stringify(override),
      ).toContain(path);
    }
    const calibrateWithoutData = validateRunConfig({
      env: { id: 'pendulum-v1' },
      offline: { steps: 0 },
      online: { warmupSteps: 1000, calibrate: true },
    });
    expect(calibrateWithoutData.issues.map((issue) => issue.path)).toEqual(['online.calibrate']);
    // The defaults of the new sections come from the schema.
    const defaults = parseRunConfig(minimal);
    expect(defaults.offline).toMatchObject({
      objective: 'xql',
      expectile: 0.9,
      awrTemperature: 'beta',
      awrWeightClip: 100,
      awrLikelihood: 'squashed',
    });
    expect(defaults.online).toMatchObject({ criticWarmupSteps: 0, calibrate: false });
    expect(defaults.reward).toEqual({ scale: 1, shift: 0 });
    expect(defaults.threads).toBe(1);
  });

  it('throws a ConfigError (exit code 2) listing every issue', () => {
    try {
      parseRunConfig({ ...minimal, seed: -1, eval: { episodes: 0 } }, 'my.json');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const configError = error as ConfigError;
      expect(configError.exitCode).toBe(2);
      expect(configError.message).toMatch(/^my\.json is invalid/);
      expect(configError.message).toMatch(/seed:/);
      expect(configError.message).toMatch(/eval\.episodes:/);
    }
  });

  it('loads a file, applies --set overrides and resolves the dataset against the file', () => {
    const path = join(directory, 'run.json');
    writeFileSync(path, JSON.stringify(minimal));
    const config = loadRunConfigFile(path, [
      'offline.steps=5',
      'beta.kind=solve',
      'agent.hiddenSizes=[32,32]',
    ]);
    expect(config.offline.steps).toBe(5);
    expect(config.beta.kind).toBe('solve');
    expect(config.agent.hiddenSizes).toEqual([32, 32]);
    expect(config.dataset?.path).toBe(join(directory, 'data.arrow'));
    expect(() => loadRunConfigFile(path, ['beta.kind=warp'])).toThrow(/beta\.kind/);
    expect(() => loadRunConfigFile(path, ['nonsense'])).toThrow(/--set expects key\.path=value/);
    writeFileSync(path, '{ not json');
    expect(() => loadRunConfigFile(path)).toThrow(/run\.json is invalid:\n {2}\(file\): not valid JSON/);
    expect(() => loadRunConfigFile(join(directory, 'missing.json'))).toThrow(/cannot read/);
  });
});

describe('presets', () => {
  it('are all valid complete configs whose datasets are shipped or made by a large recipe', () => {
    const presets = listPresets();
    expect(presets.length).toBeGreaterThanOrEqual(4);
    const largeFiles = new Set(LARGE_RECIPES.map((recipe) => recipe.file));
    let onDemand = 0;
    for (const preset of presets) {
      expect(preset.description.length).toBeGreaterThan(20);
      expect(validateRunConfig(preset.config).ok).toBe(true);
      if (preset.config.dataset) {
        const path = preset.config.dataset.path;
        expect(isAbsolute(path)).toBe(true);
        if (basename(dirname(path)) === 'large') {
          // Made on demand: a large recipe writes it, and the description says how.
          expect(largeFiles.has(basename(path)), path).toBe(true);
          expect(preset.description).toContain(`npm run datasets -- --large`);
          onDemand++;
        } else expect(existsSync(path), path).toBe(true);
      }
    }
    expect(onDemand).toBe(1);
    expect(presets.find((preset) => preset.name === 'pointmaze-medium-official')?.config.offline.steps).toBe(
      0,
    );
  });

  it('rejects an unknown preset with the list of names', () => {
    expect(() => presetConfig('nope')).toThrow(PresetError);
    expect(() => presetConfig('nope')).toThrow(/pointmaze-medium/);
  });
});
