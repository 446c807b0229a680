/**
 * What the learning benchmark runs: the tasks (each a shipped preset with a benchmark budget) and
 * the rows compared on every offline-to-online task (replay rule × β controller). Budgets are the
 * machine's, not the method's: they are stated in the report beside the wall time they took.
 */
import type { RunConfigInput } from '../../core/train/config.js';
import { presetConfig } from '../../core/train/presets.js';

export type Metric = 'successRate' | 'normalizedScore' | 'meanReturn';

export interface LearningTask {
  key: string;
  /** The preset the task starts from. */
  preset: string;
  metric: Metric;
  /** Overrides of the preset: the benchmark's budget (steps, networks, evaluation schedule). */
  budget: RunConfigInput | Record<string, unknown>;
  /** Row names compared on this task (see ROWS). */
  rows: string[];
  /** The goals of the offline-to-online issue for this task, in words, for the report. */
  goal: string;
}

/** Extra rows, compared only on the tasks that name them: the preset's AWR temperature swapped. */
const AWR_ESS_ROW = 'roer-track-awr-ess';
const AWR_FIXED_ROW = 'roer-track-awr-0.1';
const EXTRA_ROWS = [AWR_ESS_ROW, AWR_FIXED_ROW];

/** ROER with tracked β and the preset's AWR temperature replaced by `offline`'s. */
function trackedWithAwr(label: string, offline: Record<string, unknown>) {
  return {
    label,
    config: { replay: { priority: 'roer' }, beta: { kind: 'track', initialBeta: 1 }, offline },
  };
}

/** Rows: one replay rule and β controller each, over the task's config. */
export const ROWS: Record<string, { label: string; config: Record<string, unknown> }> = {
  // weightNormalisation has no effect on these two rows (weights of 1; importance weights in sample
  // mode); 'none' keeps their runs the same config whatever a preset sets for ROER.
  uniform: {
    label: 'uniform replay',
    config: { replay: { priority: 'uniform', weightNormalisation: 'none' } },
  },
  per: {
    label: 'PER',
    config: {
      replay: { priority: 'per', mode: 'sample', weightNormalisation: 'none' },
      agent: { tdSource: 'q' },
    },
  },
  'roer-0.4': {
    label: 'ROER, fixed β = 0.4',
    config: { replay: { priority: 'roer' }, beta: { kind: 'fixed', initialBeta: 0.4 } },
  },
  'roer-1': {
    label: 'ROER, fixed β = 1',
    config: { replay: { priority: 'roer' }, beta: { kind: 'fixed', initialBeta: 1 } },
  },
  'roer-4': {
    label: 'ROER, fixed β = 4',
    config: { replay: { priority: 'roer' }, beta: { kind: 'fixed', initialBeta: 4 } },
  },
  'roer-track': {
    label: 'ROER, adaptive β (track)',
    config: { replay: { priority: 'roer' }, beta: { kind: 'track', initialBeta: 1 } },
  },
  'roer-solve': {
    label: 'ROER, adaptive β (solve)',
    config: { replay: { priority: 'roer' }, beta: { kind: 'solve', initialBeta: 1 } },
  },
  'roer-shift': {
    label: 'ROER, adaptive β (track, shift-scheduled target)',
    config: {
      replay: { priority: 'roer' },
      beta: { kind: 'track', initialBeta: 1, targetSchedule: { signal: 'onlineShare', low: 0.3, high: 0.8 } },
    },
  },
  // The AWR temperature picked per batch for an ESS of 0.9 of the batch (core/objectives/awr.ts)
  // instead of the preset's fixed T; compared on the MuJoCo medium tasks, where IQL's T = 1/3
  // swings online.
  [AWR_ESS_ROW]: trackedWithAwr('ROER, adaptive β (track), AWR temperature by ESS', {
    awrTemperature: 'ess',
    awrTargetEss: 0.9,
  }),
  // The other way round on the large maze, whose preset picks the temperature by ESS: IQL's
  // AntMaze T = 0.1, fixed.
  [AWR_FIXED_ROW]: trackedWithAwr('ROER, adaptive β (track), AWR at fixed T = 0.1', { awrTemperature: 0.1 }),
};

/** The rows every offline-to-online task compares (the rows after them are extra comparisons on one task). */
export const ALL_ROWS = Object.keys(ROWS).filter((row) => !EXTRA_ROWS.includes(row));

/** Evaluation every `interval` env steps online (dense enough to see the hand-off dip) and at phase ends. */
function schedule(offline: number, online: number, episodes: number) {
  return {
    offline: { steps: offline, evalInterval: Math.max(1, Math.round(offline / 4)) },
    online: { envSteps: online },
    eval: { episodes, interval: Math.max(1, Math.round(online / 40)) },
    checkpoint: { interval: Math.max(1000, Math.round((offline + online) / 4)) },
  };
}

/**
 * MuJoCo locomotion: 1000-step episodes make evaluation the costly part, so 5 episodes every 5% of
 * the online steps (the dip is the lower of the first two) instead of every 2.5%.
 */
function locomotionSchedule(offline: number, online: number) {
  return {
    ...schedule(offline, online, 5),
    eval: { episodes: 5, interval: Math.round(online / 20) },
  };
}

/** An offline → online MuJoCo task from its medium preset: uniform, PER and ROER with tracked β. */
function locomotionTask(preset: string): LearningTask {
  return {
    key: preset,
    preset,
    metric: 'normalizedScore',
    budget: locomotionSchedule(5_000, 10_000),
    rows: ['uniform', 'per', 'roer-track', AWR_ESS_ROW],
    goal: 'ROER with adaptive β against uniform replay and PER, offline → online from medium data (no goal set by the issue)',
  };
}

export const TASKS: LearningTask[] = [
  {
    key: 'pointmaze-umaze',
    preset: 'pointmaze-umaze',
    metric: 'successRate',
    budget: { agent: { hiddenSizes: [128, 128] }, ...schedule(2_000, 5_000, 10) },
    rows: ALL_ROWS,
    goal: '≥ 90% success after offline, ≥ 95% after fine-tuning on 3/3 seeds; the dip stays ≥ 90% of the offline result',
  },
  {
    key: 'pointmaze-medium',
    preset: 'pointmaze-medium',
    metric: 'successRate',
    budget: { agent: { hiddenSizes: [128, 128] }, ...schedule(10_000, 6_000, 10) },
    rows: ALL_ROWS,
    goal: '≥ 90% success after offline, ≥ 95% after fine-tuning on 3/3 seeds; the dip stays ≥ 90% of the offline result',
  },
  {
    key: 'pointmaze-large',
    preset: 'pointmaze-large',
    metric: 'successRate',
    budget: { agent: { hiddenSizes: [128, 128] }, ...schedule(15_000, 6_000, 10) },
    rows: [...ALL_ROWS, AWR_FIXED_ROW],
    goal: '≥ 70% success after offline, better after fine-tuning',
  },
  {
    key: 'pendulum-medium',
    preset: 'pendulum-medium',
    metric: 'normalizedScore',
    budget: schedule(5_000, 10_000, 50),
    rows: ALL_ROWS,
    goal: 'normalised score ≥ 90 after fine-tuning; the dip stays ≥ 90% of the offline result',
  },
  locomotionTask('hopper-medium'),
  locomotionTask('halfcheetah-medium'),
  {
    key: 'pendulum-online',
    preset: 'pendulum-online',
    metric: 'meanReturn',
    budget: { online: { envSteps: 20_000 }, eval: { episodes: 50, interval: 2_000 } },
    rows: ['uniform'],
    goal: 'return ≥ −200 by 20k steps on 3/3 seeds',
  },
  {
    key: 'cartpole-acer',
    preset: 'cartpole-acer',
    metric: 'meanReturn',
    budget: { eval: { episodes: 10, interval: 20_000 } },
    rows: ['uniform'],
    goal: 'discrete ACER (Retrace) from scratch: return ≥ 475 of 500 by 200k steps on 3/3 seeds',
  },
  {
    key: 'pendulum-acer',
    preset: 'pendulum-acer',
    metric: 'meanReturn',
    budget: { eval: { episodes: 50, interval: 10_000 } },
    rows: ['uniform'],
    goal: 'continuous ACER from scratch: return ≥ −200 by 100k steps on 3/3 seeds',
  },
];

/** The config of one run: preset, then the task's budget, then the row, then the seed. */
export function runConfig(task: LearningTask, row: string, seed: number): Record<string, unknown> {
  return merge(
    merge(merge(presetConfig(task.preset) as Record<string, unknown>, task.budget), ROWS[row].config),
    {
      seed,
    },
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep merge of plain objects (arrays and values from `over` replace). */
export function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    out[key] =
      isRecord(value) && isRecord(out[key]) ? merge(out[key] as Record<string, unknown>, value) : value;
  }
  return out;
}
