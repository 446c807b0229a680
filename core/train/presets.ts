/**
 * Ready-made run configurations per task. Each preset is a partial config over the defaults;
 * `--preset NAME` on the CLI and the app's New-run form start from one, `--set` overrides it.
 * Dataset paths are relative to the package root (the shipped datasets/ folder) and are made
 * absolute when a preset is listed, so a preset works from any working directory.
 */
import { isAbsolute, resolve } from 'node:path';
import { packageInfo } from '../util/package-info.js';
import { parseRunConfig, type RunConfig, type RunConfigInput } from './config.js';

interface PresetDefinition {
  description: string;
  config: RunConfigInput;
}

/** ROER weighting over offline ∪ online with the official AntMaze clips (minClip 1, maxClip 50). */
const roerReplay = {
  priority: 'roer',
  mode: 'weight',
  mixing: 'union',
  roerMinClip: 1,
  roerMaxClip: 50,
} as const;

/** ROER adaptive-β defaults shared by the maze presets. */
const roerAdaptive = {
  replay: roerReplay,
  beta: { kind: 'track', initialBeta: 0.4, targetEssFraction: 0.5 },
} as const;

const PRESETS: Record<string, PresetDefinition> = {
  'pointmaze-umaze': {
    description:
      'Point maze U-maze, offline-to-online from the shipped diverse dataset: 20k offline updates, 50k online steps, ROER with adaptive β (track).',
    config: {
      env: { id: 'pointmaze-umaze-v1' },
      dataset: { path: 'datasets/pointmaze-umaze-diverse-v1.arrow' },
      ...roerAdaptive,
      offline: { steps: 20_000, evalInterval: 5_000 },
      online: { envSteps: 50_000, updatesPerStep: 1, warmupSteps: 0 },
      eval: { episodes: 10, interval: 5_000 },
      checkpoint: { interval: 5_000 },
    },
  },
  'pointmaze-medium': {
    description:
      'Point maze medium, offline-to-online from the shipped diverse dataset: 50k offline updates, 100k online steps, ROER with adaptive β (track).',
    config: {
      env: { id: 'pointmaze-medium-v1' },
      dataset: { path: 'datasets/pointmaze-medium-diverse-v1.arrow' },
      ...roerAdaptive,
      offline: { steps: 50_000, evalInterval: 10_000 },
      online: { envSteps: 100_000, updatesPerStep: 1, warmupSteps: 0 },
      eval: { episodes: 10, interval: 10_000 },
      checkpoint: { interval: 10_000 },
    },
  },
  'pointmaze-medium-official': {
    description:
      'Point maze medium as the official ROER code runs AntMaze: no offline phase, the dataset only fills the buffer, fixed β = 0.4, uniform sampling over offline ∪ online.',
    config: {
      env: { id: 'pointmaze-medium-v1' },
      dataset: { path: 'datasets/pointmaze-medium-diverse-v1.arrow' },
      replay: roerReplay,
      beta: { kind: 'fixed', initialBeta: 0.4 },
      offline: { steps: 0, evalInterval: 0 },
      online: { envSteps: 100_000, updatesPerStep: 1, warmupSteps: 0 },
      eval: { episodes: 10, interval: 10_000 },
      checkpoint: { interval: 10_000 },
    },
  },
  'pendulum-online': {
    description:
      'Pendulum from scratch, no dataset: SAC with uniform replay, 1k random warm-up steps, 20k environment steps (a sanity check).',
    config: {
      env: { id: 'pendulum-v1' },
      agent: { hiddenSizes: [64, 64], batchSize: 128 },
      replay: { priority: 'uniform' },
      beta: { kind: 'fixed', initialBeta: 1 },
      offline: { steps: 0, evalInterval: 0 },
      online: { envSteps: 20_000, updatesPerStep: 1, warmupSteps: 1_000 },
      eval: { episodes: 5, interval: 2_000 },
      checkpoint: { interval: 5_000 },
    },
  },
  'pendulum-medium': {
    description:
      'Pendulum offline-to-online from the shipped medium dataset: 5k offline updates, 20k online steps, ROER with adaptive β (track).',
    config: {
      env: { id: 'pendulum-v1' },
      dataset: { path: 'datasets/pendulum-medium-v1.arrow' },
      agent: { hiddenSizes: [64, 64], batchSize: 128 },
      replay: roerReplay,
      beta: { kind: 'track', initialBeta: 1, targetEssFraction: 0.5 },
      offline: { steps: 5_000, evalInterval: 2_500 },
      online: { envSteps: 20_000, updatesPerStep: 1, warmupSteps: 0 },
      eval: { episodes: 5, interval: 2_000 },
      checkpoint: { interval: 5_000 },
    },
  },
};

export class PresetError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'PresetError';
  }
}

function withAbsoluteDataset(config: RunConfigInput): RunConfigInput {
  const copy = structuredClone(config);
  if (copy.dataset && !isAbsolute(copy.dataset.path)) {
    copy.dataset.path = resolve(packageInfo().root, copy.dataset.path);
  }
  return copy;
}

export function presetNames(): string[] {
  return Object.keys(PRESETS);
}

/** The preset's partial config (dataset path made absolute); throws PresetError listing the names. */
export function presetConfig(name: string): RunConfigInput {
  const preset = PRESETS[name];
  if (!preset) throw new PresetError(`unknown preset "${name}"; presets: ${presetNames().join(', ')}`);
  return withAbsoluteDataset(preset.config);
}

/** Every preset with its description and its complete config (defaults filled). */
export function listPresets(): { name: string; description: string; config: RunConfig }[] {
  return Object.entries(PRESETS).map(([name, preset]) => ({
    name,
    description: preset.description,
    config: parseRunConfig(withAbsoluteDataset(preset.config), `preset ${name}`),
  }));
}
