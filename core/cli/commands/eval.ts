/**
 * `o2o eval RUN_DIR | --policy FILE [--env ID] [--episodes N] [--seed S] [--json]`: deterministic
 * evaluation episodes of a run's newest checkpoint or of an exported policy (JSON, ONNX, TF.js):
 * mean return, normalised score, success rate and — for a run, which has a critic — value bias.
 */
import type { Command } from 'commander';
import { makeEnv, prepareEnv } from '../../envs/registry.js';
import { loadPolicyFile } from '../../export/load.js';
import { evaluatePolicy, type EvaluationResult } from '../../train/evaluate.js';
import { evaluationSeed, learnerPolicy } from '../../train/run.js';
import { restoreRun } from '../../train/run-policy.js';
import { UserFacingError } from '../errors.js';

interface EvalOptions {
  policy?: string;
  env?: string;
  envOptions?: string;
  episodes?: string;
  seed?: string;
  json?: boolean;
}

export interface EvalReport extends EvaluationResult {
  envId: string;
  source: string;
  /** Update and env steps of the evaluated policy, when known. */
  trainingSteps: number | null;
  envSteps: number | null;
}

function positiveInteger(value: string, flag: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || number < 1)
    throw new UserFacingError(`${flag}: expected a positive integer, got "${value}"`);
  return number;
}

function nonNegativeInteger(value: string, flag: string): number {
  if (!/^\d+$/.test(value.trim()))
    throw new UserFacingError(`${flag}: expected an integer ≥ 0, got "${value}"`);
  return Number(value);
}

function parseEnvOptions(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new UserFacingError(`--env-options: expected a JSON object, got ${text}`);
}

async function makeEnvOrUsageError(id: string, options: Record<string, unknown>) {
  try {
    await prepareEnv(id);
    return makeEnv(id, options);
  } catch (error) {
    throw new UserFacingError((error as Error).message);
  }
}

/** Evaluate a run directory's newest checkpoint. */
export async function evaluateRun(directory: string, episodes?: number, seed?: number): Promise<EvalReport> {
  const run = await restoreRun(directory);
  try {
    const { config } = run;
    const result = await evaluatePolicy(
      () => makeEnv(config.env.id, config.env.options),
      learnerPolicy(run.learner, run.normaliser, run.actionSpace),
      {
        episodes: episodes ?? config.eval.episodes,
        seedOf: (i) => evaluationSeed(seed ?? config.seed, i),
        gamma: config.agent.discount,
      },
    );
    return {
      envId: config.env.id,
      source: run.directory,
      trainingSteps: run.counters.step,
      envSteps: run.counters.envStep,
      ...result,
    };
  } finally {
    run.learner.dispose();
  }
}

/** Evaluate an exported policy file on `envId` (default: the env it was trained on). */
export async function evaluatePolicyFile(
  path: string,
  options: { envId?: string; envOptions?: Record<string, unknown>; episodes: number; seed: number },
): Promise<EvalReport> {
  const policy = await loadPolicyFile(path);
  try {
    const envId = options.envId ?? policy.metadata.envId;
    if (!envId) throw new UserFacingError(`${path} does not name its environment; give --env ID`);
    const probe = await makeEnvOrUsageError(envId, options.envOptions ?? {});
    probe.close?.();
    const actionWidth = probe.actionSpace.kind === 'box' ? probe.actionSpace.size : 1;
    if (probe.observationSpace.size !== policy.observationWidth || actionWidth !== policy.actionWidth) {
      throw new UserFacingError(
        `${path} maps ${policy.observationWidth} observations to ${policy.actionWidth} actions, but ${envId} has ${probe.observationSpace.size} and ${actionWidth}`,
      );
    }
    const result = await evaluatePolicy(() => makeEnv(envId, options.envOptions ?? {}), policy, {
      episodes: options.episodes,
      seedOf: (i) => evaluationSeed(options.seed, i),
      gamma: 0.99,
    });
    return {
      envId,
      source: path,
      trainingSteps: policy.metadata.trainingSteps ?? null,
      envSteps: policy.metadata.envSteps ?? null,
      ...result,
    };
  } finally {
    await policy.dispose();
  }
}

function formatReport(report: EvalReport): string {
  const parts = [
    `${report.envId}: ${report.episodes} deterministic episodes of ${report.source}`,
    `  return            ${report.meanReturn.toFixed(3)} ± ${report.stdReturn.toFixed(3)}`,
  ];
  if (Number.isFinite(report.normalizedScore))
    parts.push(`  normalised score  ${report.normalizedScore.toFixed(1)}`);
  if (Number.isFinite(report.successRate))
    parts.push(`  success rate      ${(100 * report.successRate).toFixed(0)}%`);
  if (Number.isFinite(report.valueBias)) parts.push(`  value bias        ${report.valueBias.toFixed(3)}`);
  parts.push(
    `  mean length       ${(report.lengths.reduce((a, b) => a + b, 0) / report.episodes).toFixed(1)}`,
  );
  return parts.join('\n');
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description("evaluate a run's newest checkpoint, or an exported policy with --policy")
    .argument('[run-dir]', 'the run directory')
    .option('--policy <file>', 'an exported policy (.json, .onnx, or a TF.js directory / model.json)')
    .option('--env <id>', 'environment (default: the one the policy was trained on)')
    .option('--env-options <json>', 'environment options as a JSON object')
    .option('-n, --episodes <n>', 'evaluation episodes (default: the run config, or 10)')
    .option('--seed <s>', 'seed of the evaluation start states (default: the run seed, or 0)')
    .option('--json', 'print the result as one JSON object')
    .action(async (directory: string | undefined, options: EvalOptions) => {
      if (Boolean(directory) === Boolean(options.policy)) {
        throw new UserFacingError('eval needs either RUN_DIR or --policy FILE (not both)');
      }
      const episodes =
        options.episodes === undefined ? undefined : positiveInteger(options.episodes, '--episodes');
      const seed = options.seed === undefined ? undefined : nonNegativeInteger(options.seed, '--seed');
      const report = directory
        ? await evaluateRun(directory, episodes, seed)
        : await evaluatePolicyFile(options.policy!, {
            envId: options.env,
            envOptions: parseEnvOptions(options.envOptions),
            episodes: episodes ?? 10,
            seed: seed ?? 0,
          });
      process.stdout.write(`${options.json ? JSON.stringify(report) : formatReport(report)}\n`);
    });
}
