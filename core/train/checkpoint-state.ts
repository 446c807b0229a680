/**
 * What a run's checkpoint holds (written and read with core/train/checkpoint.ts), and how the logs
 * are cut back to a checkpoint on resume.
 */
import { join } from 'node:path';
import type { PolicyLayer } from '../agents/types.js';
import type { BetaControllerState } from '../beta/types.js';
import type { BestEvaluation } from '../common/best-evaluation.js';
import type { ReplayState } from '../replay/types.js';
import { writeFileAtomicSync } from '../util/atomic-write.js';
import type { RngState } from '../util/random.js';
import type { Phase } from '../common/events.js';
import { keepFirstCsvRows, truncateCsvLog } from './metrics-log.js';
import type { ObservationNormaliser } from './normaliser.js';
import { readRunEvents, RUN_FILES } from './run-directory.js';
import type { OpenEpisode, RunCounters, RunParts } from './setup.js';

export interface CheckpointState {
  formatVersion: 1;
  counters: RunCounters;
  rng: RngState;
  learner: Record<string, unknown>;
  replay: ReplayState;
  beta: BetaControllerState;
  normaliser: ObservationNormaliser;
  /** The open online episode: its reset seed and the environment actions taken so far. */
  episode: { seed: number; actions: Float32Array; return: number; length: number; success: boolean } | null;
  /** The policy of the best evaluation so far (absent in checkpoints written before it was kept). */
  best?: BestPolicySnapshot | null;
}

/**
 * The deterministic policy as it was at the run's best evaluation (the rule of
 * core/common/best-evaluation.ts): its layers and the observation normaliser it acted with. Kept
 * in every checkpoint, so that `o2o export --policy best` survives a decline late in the run, and a
 * resumed or forked run continues from the best of its own history.
 */
export interface BestPolicySnapshot extends BestEvaluation {
  layers: PolicyLayer[];
  observationMean: Float32Array;
  observationStd: Float32Array;
}

/** The state of a run's pieces at this moment. */
export function captureCheckpoint(parts: RunParts, episode: OpenEpisode | null): CheckpointState {
  const { counters, rng, learner, replay, controller, normaliser } = parts;
  return {
    formatVersion: 1,
    counters: { ...counters },
    rng: rng.getState(),
    learner: learner.getState(),
    replay: replay.getState(),
    beta: controller.getState(),
    normaliser,
    episode: episode ? { ...episode, actions: Float32Array.from(episode.actions) } : null,
    best: parts.best,
  };
}

/**
 * Make the logs end exactly where a checkpoint's counters do, so that a resumed run continues its
 * curves with no gap and no duplicate: the first `step` update rows, the first `episodes` episode
 * rows and the first `evaluations` evaluation rows (plus any torn last line) are kept; phase and
 * checkpoint events the checkpoint has not seen are dropped; run and log events stay as history.
 */
export function truncateRunLogs(
  directory: string,
  counters: Pick<RunCounters, 'step' | 'envStep' | 'episodes' | 'evaluations' | 'phase' | 'phaseAnnounced'>,
): void {
  truncateCsvLog(join(directory, RUN_FILES.updates), 'step', counters.step);
  keepFirstCsvRows(join(directory, RUN_FILES.episodes), counters.episodes);
  keepFirstCsvRows(join(directory, RUN_FILES.evaluations), counters.evaluations);
  const phaseSeen = (phase: Phase) =>
    phase === counters.phase ? counters.phaseAnnounced : phase === 'offline' && counters.phase === 'online';
  const events = readRunEvents(directory).filter((event) => {
    if (event.type === 'phase') return phaseSeen(event.phase) && event.step <= counters.step;
    if (event.type === 'checkpoint') return event.step <= counters.step && event.envStep <= counters.envStep;
    return true;
  });
  writeFileAtomicSync(
    join(directory, RUN_FILES.events),
    events.map((event) => `${JSON.stringify(event)}\n`).join(''),
  );
}
