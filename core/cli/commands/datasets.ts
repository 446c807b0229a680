/**
 * `o2o datasets`: generate datasets from a behaviour policy, inspect and validate dataset files,
 * list the environments, and dump a training run's replay buffer as a dataset.
 */
import { resolve } from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { dumpReplay } from '../../train/dump-replay.js';
import { generateDataset, type GenerationPolicy } from '../../data/generate.js';
import { summarize } from '../../data/inspect.js';
import { loadDataset } from '../../data/load.js';
import type { ColumnStatistics, DatasetSummary } from '../../data/types.js';
import { listEnvsChecked, makeEnv, prepareEnv } from '../../envs/registry.js';
import { ExitCode, UserFacingError } from '../errors.js';
import { parseFraction, parseInteger } from './flags.js';

/** A progress bar on stderr when it is a terminal; otherwise nothing (logs and pipes stay clean). */
function progressBar(label: string): { update(done: number, total: number): void; stop(): void } {
  if (!process.stderr.isTTY) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {value}/{total} episodes | {eta_formatted} left`,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.update(done);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

function formatNumber(value: number): string {
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  return magnitude >= 1e5 || magnitude < 1e-3
    ? value.toExponential(3)
    : Number(value.toPrecision(4)).toString();
}

function formatStats(stats: ColumnStatistics): string {
  return `min ${formatNumber(stats.min)}  max ${formatNumber(stats.max)}  mean ${formatNumber(stats.mean)}  std ${formatNumber(stats.std)}`;
}

/** The human-readable report of `o2o datasets inspect`. */
export function formatSummary(summary: DatasetSummary): string {
  const lines: string[] = [];
  lines.push(`${summary.path}`);
  lines.push(
    `  ${summary.format}, ${summary.layout} layout, ${(summary.fileBytes / 1024).toFixed(1)} KiB; ${summary.rows} transitions in ${summary.episodes} episodes (${summary.terminals} terminal, ${summary.timeouts} timeout)`,
  );
  lines.push(`  observation width ${summary.observationWidth}, action width ${summary.actionWidth}`);
  const card = summary.card;
  if (card) {
    lines.push('card:');
    lines.push(`  environment       ${card.envId}`);
    lines.push(`  behaviour policy  ${card.behaviorPolicy}`);
    lines.push(`  seed              ${card.seed ?? '—'}`);
    lines.push(`  episodes / steps  ${card.episodes} / ${card.steps}`);
    lines.push(`  reference scores  ${card.referenceMinScore ?? '—'} … ${card.referenceMaxScore ?? '—'}`);
    lines.push(`  author            ${card.author}`);
    lines.push(`  created at        ${card.createdAt}`);
    lines.push(`  format version    ${card.formatVersion}`);
    if (card.description) lines.push(`  description       ${card.description}`);
  } else lines.push('card: none (a file from another tool)');
  lines.push('columns:');
  summary.columns.observations.forEach((stats, d) =>
    lines.push(`  observations[${d}]      ${formatStats(stats)}`),
  );
  summary.columns.actions.forEach((stats, d) =>
    lines.push(`  actions[${d}]           ${formatStats(stats)}`),
  );
  lines.push(`  rewards              ${formatStats(summary.columns.rewards)}`);
  lines.push(`episode lengths:       ${formatStats(summary.episodeLengths)}`);
  const returns = summary.episodeReturns;
  lines.push(
    `episode returns:       ${formatStats(returns)}${returns.normalizedMean !== null ? `  normalised mean ${formatNumber(returns.normalizedMean)}` : ''}`,
  );
  lines.push(`episodes ending terminal: ${(100 * summary.terminalEpisodeFraction).toFixed(1)}%`);
  const peak = Math.max(1, ...returns.histogram.counts);
  for (let i = 0; i < returns.histogram.counts.length; i++) {
    const count = returns.histogram.counts[i];
    if (count === 0) continue;
    const bar = '#'.repeat(Math.round((40 * count) / peak));
    lines.push(
      `  [${formatNumber(returns.histogram.edges[i]).padStart(9)}, ${formatNumber(returns.histogram.edges[i + 1]).padStart(9)}) ${String(count).padStart(6)} ${bar}`,
    );
  }
  lines.push(
    `behaviour statistics:  ${summary.behaviourColumns.length > 0 ? summary.behaviourColumns.join(', ') : 'none (a learner that needs μ estimates it by behaviour cloning)'}`,
  );
  if (summary.ignoredColumns.length > 0) lines.push(`ignored columns: ${summary.ignoredColumns.join(', ')}`);
  for (const warning of summary.warnings) lines.push(`warning: ${warning}`);
  return lines.join('\n');
}

interface CheckpointPolicy {
  act: (observation: Float32Array) => Promise<Float32Array>;
  name: string;
  envId?: string;
  observationWidth: number;
  actionWidth: number;
}

/** A trained actor from a run directory (its newest checkpoint) or an exported policy file. */
async function loadCheckpointPolicy(path: string): Promise<CheckpointPolicy> {
  const { isRunDirectory } = await import('../../train/run-directory.js');
  if (isRunDirectory(path)) {
    const { runPolicyDescription } = await import('../../export/export-run.js');
    const { policyActions } = await import('../../export/policy.js');
    let policy: Awaited<ReturnType<typeof runPolicyDescription>>;
    try {
      policy = await runPolicyDescription(path);
    } catch (error) {
      throw new UserFacingError(
        `${path}: cannot restore the run's policy (${(error as Error).message})`,
        ExitCode.run,
      );
    }
    return {
      act: async (observation) => policyActions(policy, observation, 1),
      name: `checkpoint:${policy.metadata.runId}@${policy.metadata.trainingSteps}`,
      envId: policy.metadata.envId,
      observationWidth: policy.observationWidth,
      actionWidth: policy.actionWidth,
    };
  }
  const { loadPolicyFile } = await import('../../export/load.js');
  let policy;
  try {
    policy = await loadPolicyFile(path);
  } catch (error) {
    throw new UserFacingError(`${path}: cannot load the policy (${(error as Error).message})`);
  }
  return {
    act: (observation) => policy.act(observation, 1),
    name: `checkpoint:${policy.metadata.runId ?? path}`,
    envId: policy.metadata.envId,
    observationWidth: policy.observationWidth,
    actionWidth: policy.actionWidth,
  };
}

interface GenerateFlags {
  env: string;
  policy: string;
  episodes: string;
  seed: string;
  out: string;
  checkpoint?: string;
  noise?: string;
  randomActionRate?: string;
  behaviourColumns: boolean;
  author?: string;
  createdAt?: string;
  json?: boolean;
}

async function runGenerate(flags: GenerateFlags): Promise<void> {
  const policies: GenerationPolicy[] = ['random', 'scripted', 'checkpoint'];
  if (!policies.includes(flags.policy as GenerationPolicy)) {
    throw new UserFacingError(`--policy must be one of ${policies.join(', ')}, got "${flags.policy}"`);
  }
  const policy = flags.policy as GenerationPolicy;
  let env;
  try {
    await prepareEnv(flags.env);
    env = makeEnv(flags.env);
  } catch (error) {
    throw new UserFacingError(`--env: ${(error as Error).message}`);
  }
  const episodes = parseInteger('--episodes', flags.episodes, 1);
  const seed = parseInteger('--seed', flags.seed, 0);
  const noise = flags.noise !== undefined ? parseFraction('--noise', flags.noise) : undefined;
  const randomActionRate =
    flags.randomActionRate !== undefined
      ? parseFraction('--random-action-rate', flags.randomActionRate, 1)
      : undefined;
  let checkpoint: CheckpointPolicy | undefined;
  if (policy === 'checkpoint') {
    if (!flags.checkpoint)
      throw new UserFacingError(
        '--policy checkpoint needs --checkpoint RUN_DIR (or an exported policy file)',
      );
    checkpoint = await loadCheckpointPolicy(flags.checkpoint);
    const actionWidth = env.actionSpace.kind === 'box' ? env.actionSpace.size : 1;
    if (checkpoint.envId !== undefined && checkpoint.envId !== env.id) {
      throw new UserFacingError(
        `${flags.checkpoint}: the policy was trained on ${checkpoint.envId}, not ${env.id}`,
      );
    }
    if (checkpoint.observationWidth !== env.observationSpace.size || checkpoint.actionWidth !== actionWidth) {
      throw new UserFacingError(
        `${flags.checkpoint}: the policy maps ${checkpoint.observationWidth} → ${checkpoint.actionWidth} values; ${env.id} needs ${env.observationSpace.size} → ${actionWidth}`,
      );
    }
  } else if (flags.checkpoint)
    throw new UserFacingError('--checkpoint is only used with --policy checkpoint');
  const bar = progressBar(`${env.id} ${policy}`);
  let summary: DatasetSummary;
  try {
    summary = await generateDataset({
      envId: env.id,
      policy,
      episodes,
      seed,
      out: resolve(flags.out),
      noise,
      randomActionRate,
      behaviourColumns: flags.behaviourColumns,
      policyFn: checkpoint?.act,
      policyName: checkpoint?.name,
      author: flags.author,
      createdAt: flags.createdAt,
      onProgress: (done, total) => bar.update(done, total),
    });
  } catch (error) {
    if (error instanceof RangeError) throw new UserFacingError(error.message);
    throw error;
  } finally {
    bar.stop();
  }
  if (flags.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else {
    process.stdout.write(
      `wrote ${summary.path}: ${summary.rows} transitions, ${summary.episodes} episodes, mean return ${formatNumber(summary.episodeReturns.mean)}${summary.episodeReturns.normalizedMean !== null ? ` (normalised ${formatNumber(summary.episodeReturns.normalizedMean)})` : ''}\n`,
    );
  }
}

export function registerDatasets(program: Command): void {
  const datasets = program.command('datasets').description('generate, inspect and validate offline datasets');

  datasets
    .command('generate')
    .description('roll a behaviour policy in an environment and write the transitions as an Arrow dataset')
    .requiredOption('--env <id>', 'environment id (see `o2o datasets envs`)')
    .requiredOption('--policy <kind>', 'behaviour: random, scripted or checkpoint')
    .requiredOption('--episodes <n>', 'number of episodes')
    .option('--seed <s>', 'random seed (the file is the same for the same seed)', '0')
    .requiredOption('--out <file>', 'output .arrow file (written atomically)')
    .option('--checkpoint <path>', 'run directory or exported policy file, for --policy checkpoint')
    .option('--noise <sigma>', 'Gaussian action noise of the scripted/checkpoint behaviour (action units)')
    .option(
      '--random-action-rate <epsilon>',
      'probability of a uniform random action at each step (default 0)',
    )
    .option(
      '--no-behaviour-columns',
      "do not record the behaviour's action probabilities / Gaussian statistics (infos/action_*), recorded by default where they are known exactly",
    )
    .option('--author <name>', 'author recorded in the dataset card')
    .option(
      '--created-at <iso>',
      'creation time recorded in the card (default now; fix it for byte-identical files)',
    )
    .option('--json', 'print the dataset summary as one JSON object')
    .action(async (flags: GenerateFlags) => runGenerate(flags));

  datasets
    .command('inspect')
    .description('validate a dataset file and print its card, column statistics and episode returns')
    .argument('<file>', 'Arrow IPC (file or stream) or Parquet file')
    .option('--env <id>', 'also check widths and action bounds against this environment')
    .option('--json', 'print one JSON object')
    .action(async (file: string, flags: { env?: string; json?: boolean }) => {
      const summary = summarize(await loadDataset(file, { envId: flags.env || undefined }));
      process.stdout.write(flags.json ? `${JSON.stringify(summary)}\n` : `${formatSummary(summary)}\n`);
    });

  datasets
    .command('envs')
    .description('list the environments with their observation and action widths, and which cannot run here')
    .option('--json', 'print a JSON array')
    .action(async (flags: { json?: boolean }) => {
      const envs = await listEnvsChecked();
      if (flags.json) process.stdout.write(`${JSON.stringify(envs)}\n`);
      else {
        for (const env of envs) {
          const kind = env.discrete ? 'discrete' : 'continuous';
          process.stdout.write(
            `${env.id.padEnd(28)} obs ${env.observationWidth}, action ${env.actionWidth} ${kind}${env.goal ? ', goal-reaching' : ''}${env.available === false ? ' — UNAVAILABLE' : ''}\n    ${env.description}\n${env.available === false ? `    unavailable: ${env.unavailableReason ?? 'unknown reason'}\n` : ''}`,
          );
        }
      }
    });

  datasets
    .command('dump-replay')
    .description("write a training run's replay buffer (latest checkpoint) as a dataset, medium-replay style")
    .argument('<run-dir>', 'run directory')
    .requiredOption('--out <file>', 'output .arrow file')
    .option('--json', 'print the dataset summary as one JSON object')
    .action(async (runDirectory: string, flags: { out: string; json?: boolean }) => {
      const summary = await dumpReplay(runDirectory, resolve(flags.out));
      process.stdout.write(
        flags.json
          ? `${JSON.stringify(summary)}\n`
          : `wrote ${summary.path}: ${summary.rows} transitions, ${summary.episodes} episodes\n`,
      );
    });
}
