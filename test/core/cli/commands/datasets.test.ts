import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset } from '../../../../core/data/load.js';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../../core/cli/program.js';
import { policyToJson } from '../../../../core/export/policy.js';
import { Replay } from '../../../../core/replay/replay.js';
import { replayOptions } from '../../../helpers/replay-options.js';
import { writeCheckpoint } from '../../../../core/train/checkpoint.js';
import { createRunDirectory } from '../../../../core/train/run-directory.js';
import { Rng } from '../../../../core/util/random.js';

const scratch = mkdtempSync(join(tmpdir(), 'o2o-cli-datasets-'));
const fixtures = join(import.meta.dirname, '../../../fixtures/datasets');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** Run the CLI and capture what it prints. */
async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const code = await main(argv);
  vi.restoreAllMocks();
  return { code, stdout, stderr };
}

describe('o2o datasets', () => {
  it('generate writes a dataset and inspect --json reports it', async () => {
    const out = join(scratch, 'maze.arrow');
    const generated = await run(
      'datasets',
      'generate',
      '--env',
      'pointmaze-umaze-v1',
      '--policy',
      'scripted',
      '--episodes',
      '3',
      '--seed',
      '4',
      '--out',
      out,
    );
    expect(generated.code).toBe(0);
    expect(generated.stdout).toMatch(/wrote .*maze\.arrow: \d+ transitions, 3 episodes/);
    expect(generated.stderr).toBe(''); // no progress bar when stderr is not a terminal
    const inspected = await run('datasets', 'inspect', out, '--json');
    expect(inspected.code).toBe(0);
    const summary = JSON.parse(inspected.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ episodes: 3, observationWidth: 4, actionWidth: 2 });
    for (const key of ['rows', 'episodes', 'observationWidth', 'actionWidth', 'terminals', 'timeouts']) {
      expect(typeof summary[key], key).toBe('number');
    }
    expect((summary.card as { behaviorPolicy: string }).behaviorPolicy).toMatch(/waypoint/);
  });

  it('inspect prints the card, column statistics and the return histogram', async () => {
    const { code, stdout } = await run('datasets', 'inspect', join(fixtures, 'valid-d4rl.arrow'));
    expect(code).toBe(0);
    expect(stdout).toMatch(/8 transitions in 3 episodes \(2 terminal, 1 timeout\)/);
    expect(stdout).toMatch(/environment\s+pendulum-v1/);
    expect(stdout).toMatch(/observations\[2\]\s+min -7/);
    expect(stdout).toMatch(/episode returns:.*normalised mean/);
  });

  it('inspect exits 3 with the validation message on a bad file', async () => {
    const { code, stdout, stderr } = await run('datasets', 'inspect', join(fixtures, 'nan.arrow'), '--json');
    expect(code).toBe(3);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^o2o: .*nan\.arrow: column "observations", row 3: NaN in dimension 1/);
    expect(stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });

  it('inspect --env checks widths against the environment', async () => {
    const { code, stderr } = await run(
      'datasets',
      'inspect',
      join(fixtures, 'valid-d4rl.arrow'),
      '--env',
      'pointmaze-medium-v1',
    );
    expect(code).toBe(3);
    expect(stderr).toMatch(
      /observation width 3 does not match environment pointmaze-medium-v1, which expects 4/,
    );
  });

  it('generate rejects bad flags with usage errors (exit 2)', async () => {
    const out = join(scratch, 'never.arrow');
    const cases: [string[], RegExp][] = [
      [['--env', 'nope', '--policy', 'random', '--episodes', '1'], /unknown environment "nope"/],
      [
        ['--env', 'pendulum-v1', '--policy', 'expert', '--episodes', '1'],
        /--policy must be one of random, scripted, checkpoint/,
      ],
      [
        ['--env', 'pendulum-v1', '--policy', 'random', '--episodes', '0'],
        /--episodes must be an integer ≥ 1/,
      ],
      [['--env', 'pendulum-v1', '--policy', 'checkpoint', '--episodes', '1'], /needs --checkpoint/],
      [
        ['--env', 'pendulum-v1', '--policy', 'random', '--episodes', '1', '--random-action-rate', '3'],
        /--random-action-rate/,
      ],
    ];
    for (const [flags, message] of cases) {
      const { code, stderr } = await run('datasets', 'generate', ...flags, '--out', out);
      expect(code, flags.join(' ')).toBe(2);
      expect(stderr).toMatch(message);
    }
    expect(existsSync(out)).toBe(false);
  });

  it('generate --policy checkpoint acts with an exported policy file', async () => {
    // A one-layer linear policy: a = clip(w·obs + b, ±1) scaled to [−2, 2]; here w = 0, b = 0.25 → 0.5.
    const policyPath = join(scratch, 'policy.json');
    writeFileSync(
      policyPath,
      policyToJson({
        metadata: {
          envId: 'pendulum-v1',
          configHash: '0',
          trainingSteps: 7,
          envSteps: 7,
          runId: 'run-x',
          packageVersion: '0',
          createdAt: '2026-01-01T00:00:00Z',
        },
        observationWidth: 3,
        actionWidth: 1,
        observationMean: new Float32Array(3),
        observationStd: Float32Array.of(1, 1, 1),
        actionLow: Float32Array.of(-2),
        actionHigh: Float32Array.of(2),
        layers: [
          {
            inputSize: 3,
            outputSize: 1,
            activation: 'tanh',
            weight: new Float32Array(3),
            bias: Float32Array.of(Math.atanh(0.25)),
          },
        ],
        head: { kind: 'tanh-gaussian', actionWidth: 1, deterministic: 'tanh-mean' },
      }),
    );
    const out = join(scratch, 'trained.arrow');
    const generateWithPolicy = (env: string) =>
      run(
        'datasets',
        'generate',
        '--env',
        env,
        '--policy',
        'checkpoint',
        '--checkpoint',
        policyPath,
        '--episodes',
        '1',
        '--out',
        out,
      );
    const { code, stderr } = await generateWithPolicy('pendulum-v1');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const { stdout } = await run('datasets', 'inspect', out, '--json');
    const summary = JSON.parse(stdout) as {
      rows: number;
      card: { behaviorPolicy: string };
      columns: { actions: { min: number; max: number }[] };
    };
    expect(summary.rows).toBe(200);
    expect(summary.card.behaviorPolicy).toBe('checkpoint:run-x');
    expect(summary.columns.actions[0].min).toBeCloseTo(0.5, 5);
    expect(summary.columns.actions[0].max).toBeCloseTo(0.5, 5);
    const wrongEnv = await generateWithPolicy('mountaincar-continuous-v0');
    expect(wrongEnv.code).toBe(2);
    expect(wrongEnv.stderr).toMatch(/trained on pendulum-v1, not mountaincar-continuous-v0/);
  });

  it('envs lists the environments', async () => {
    const { code, stdout } = await run('datasets', 'envs', '--json');
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { id: string }[]).map((env) => env.id)).toContain('pointmaze-large-v1');
  });

  it('dump-replay writes the replay buffer of a run as a dataset, closing open episodes', async () => {
    const runDirectory = join(scratch, 'run');
    createRunDirectory(
      runDirectory,
      { env: { id: 'pendulum-v1' } },
      {
        runId: 'run-test',
        name: 'test',
        createdAt: '2026-01-01T00:00:00Z',
        packageVersion: '0',
        backend: 'cpu',
        platform: 'test',
        nodeVersion: process.version,
      },
    );
    const options = replayOptions(
      { capacity: 20, observationWidth: 3, actionWidth: 1 },
      { priority: 'uniform' },
    );
    const replay = new Replay(options, new Rng(1));
    // Two online episodes: one ends terminal after 3 steps, the second is still running (2 steps).
    for (let i = 0; i < 5; i++) {
      replay.addOnline({
        observation: Float32Array.of(i, 0, 0),
        action: Float32Array.of(0.5),
        reward: i,
        nextObservation: Float32Array.of(i + 1, 0, 0),
        terminal: i === 2,
        timeout: false,
        episodeId: i < 3 ? 0 : 1,
      });
    }
    await writeCheckpoint(runDirectory, { step: 10, envStep: 0 }, { replay: replay.getState() });
    const out = join(scratch, 'replay.arrow');
    const { code, stdout, stderr } = await run(
      'datasets',
      'dump-replay',
      runDirectory,
      '--out',
      out,
      '--json',
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const summary = JSON.parse(stdout) as {
      rows: number;
      episodes: number;
      terminals: number;
      timeouts: number;
      card: { behaviorPolicy: string };
    };
    expect(summary).toMatchObject({ rows: 5, episodes: 2, terminals: 1, timeouts: 1 });
    expect(summary.card.behaviorPolicy).toBe('replay:run-test@10');
    expect(readFileSync(out).subarray(0, 6).toString()).toBe('ARROW1');
    // The replay holds actions in the learner's [−1, 1]; the file holds the pendulum's torque in [−2, 2].
    const loaded = await loadDataset(out, { envId: 'pendulum-v1' });
    expect(Array.from(loaded.columns.actions)).toEqual([1, 1, 1, 1, 1]);
  });

  it('dump-replay on a directory without a run is a run-state error (exit 4)', async () => {
    const { code, stderr } = await run('datasets', 'dump-replay', scratch, '--out', join(scratch, 'x.arrow'));
    expect(code).toBe(4);
    expect(stderr).toMatch(/not a readable run directory/);
  });
});
