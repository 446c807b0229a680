/**
 * Dump the replay buffer of a training run as a dataset ("medium-replay"-style data: everything the
 * agent saw while learning). Reads the run's latest checkpoint, rebuilds the buffer and writes its
 * rows, offline rows first and then online rows oldest to newest, in the D4RL layout and in the
 * environment's units (the replay holds normalised observations, transformed rewards and actions in
 * [−1, 1]; see environmentColumns), with the behaviour statistics an ACER run stored.
 */
import { readLatestCheckpoint } from './checkpoint.js';
import { readRunConfig, readRunMeta, RunDirectoryError } from './run-directory.js';
import { Replay } from '../replay/replay.js';
import type { ReplayState } from '../replay/types.js';
import type { TransitionColumns } from '../replay/transitions.js';
import { makeEnv, prepareEnv } from '../envs/registry.js';
import { CARD_FORMAT_VERSION } from '../data/card.js';
import { inspectDataset } from '../data/inspect.js';
import type { DatasetSummary } from '../data/types.js';
import type { DatasetCard } from '../common/dataset-card.js';
import { writeDataset } from '../data/write.js';
import type { Env } from '../envs/types.js';
import { identityNormaliser, type ObservationNormaliser } from './normaliser.js';
import { environmentColumns } from './setup.js';

/**
 * Make every episode boundary explicit: a row whose episode id differs from the next row's (an
 * episode cut by the ring buffer's overwrite, or still running at the checkpoint) becomes a timeout,
 * so the written file delimits its episodes without guessing. Its next observation is real, so
 * bootstrapping from it stays correct.
 */
export function closeOpenEpisodes(columns: TransitionColumns): TransitionColumns {
  const ids = columns.episodeIds;
  const timeouts = Uint8Array.from(columns.timeouts);
  for (let i = 0; i < columns.length; i++) {
    const last = i === columns.length - 1;
    const boundary = last || (ids !== undefined && ids[i + 1] !== ids[i]);
    if (boundary && columns.terminals[i] === 0) timeouts[i] = 1;
  }
  return { ...columns, timeouts };
}

/** What dump-replay reads of a run's stored config (read as stored, so older runs still dump). */
interface StoredConfig {
  env?: { id?: string; options?: Record<string, unknown> };
  reward?: { scale?: number; shift?: number };
}

interface CheckpointWithReplay {
  replay?: ReplayState;
  normaliser?: ObservationNormaliser;
}

export async function dumpReplay(
  runDirectory: string,
  out: string,
  card: { author?: string; createdAt?: string; behaviorPolicy?: string; description?: string } = {},
): Promise<DatasetSummary> {
  let latest: { step: number; state: CheckpointWithReplay } | undefined;
  let config: StoredConfig;
  let runId: string;
  try {
    config = readRunConfig(runDirectory) as StoredConfig;
    runId = readRunMeta(runDirectory).runId;
    latest = await readLatestCheckpoint<CheckpointWithReplay>(runDirectory);
  } catch (error) {
    throw new RunDirectoryError(
      `${runDirectory}: not a readable run directory (${(error as Error).message})`,
    );
  }
  if (!latest)
    throw new RunDirectoryError(
      `${runDirectory}: the run has no checkpoint yet, so there is no replay buffer to dump`,
    );
  if (!latest.state.replay)
    throw new RunDirectoryError(`${runDirectory}: the latest checkpoint holds no replay buffer`);
  const envId = config.env?.id;
  if (typeof envId !== 'string')
    throw new RunDirectoryError(`${runDirectory}: the run configuration has no env.id`);
  const stored = closeOpenEpisodes(Replay.fromState(latest.state.replay).exportColumns());
  if (stored.length === 0) throw new RunDirectoryError(`${runDirectory}: the replay buffer is empty`);
  let episodes = 0;
  for (let i = 0; i < stored.length; i++)
    if (stored.terminals[i] !== 0 || stored.timeouts[i] !== 0) episodes++;
  let env: Env;
  try {
    await prepareEnv(envId);
    env = makeEnv(envId, config.env?.options);
  } catch (error) {
    throw new RunDirectoryError(
      `${runDirectory}: the run's environment ${envId} cannot be made here (${(error as Error).message})`,
    );
  }
  const reference = env.referenceScores;
  env.close?.();
  const columns = environmentColumns(
    stored,
    latest.state.normaliser ?? identityNormaliser(stored.observationWidth),
    env.actionSpace,
    { scale: config.reward?.scale ?? 1, shift: config.reward?.shift ?? 0 },
  );
  const datasetCard: DatasetCard = {
    formatVersion: CARD_FORMAT_VERSION,
    envId,
    behaviorPolicy: card.behaviorPolicy ?? `replay:${runId}@${latest.step}`,
    seed: null,
    episodes,
    steps: columns.length,
    referenceMinScore: reference?.min ?? null,
    referenceMaxScore: reference?.max ?? null,
    author: card.author ?? 'o2o-studio',
    createdAt: card.createdAt ?? new Date().toISOString(),
    description:
      card.description ??
      `Replay buffer of run ${runId} at step ${latest.step}: offline rows first, then online rows oldest to newest.`,
  };
  await writeDataset(out, columns, datasetCard);
  return inspectDataset(out);
}
