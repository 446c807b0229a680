/**
 * Damaged checkpoints, each in its own copy of a stopped run, then `o2o resume`. Each must either
 * fall back to an intact checkpoint (exit 0, the run finishes, a warning says which checkpoint was
 * used and why, and the curves equal the uninterrupted run's) or stop with exit code 4 and a
 * message naming the damaged file — never a crash, a stack trace, a hang or a silent restart.
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { generateDataset } from '../../core/data/generate.js';
import { listCheckpoints } from '../../core/train/checkpoint.js';
import { startTrainingRun } from '../../core/train/run.js';
import { curvesOf } from '../helpers/curves.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'core', 'cli', 'main.ts');

type Expected = 'fallback' | 'named error' | 'resume';

interface Corruption {
  name: string;
  expected: Expected;
  /** Damage the run in `directory`; returns the file a named error must mention (when one must). */
  damage(directory: string, checkpoints: string[]): string | void;
}

export interface CorruptionResult {
  name: string;
  expected: Expected;
  outcome: string;
  handled: boolean;
  problem?: string;
}

const inNewest = (directory: string, checkpoints: string[], file: string) =>
  join(directory, 'checkpoints', checkpoints[0], file);

function flipBit(path: string, at: (length: number) => number): void {
  const bytes = readFileSync(path);
  bytes[at(bytes.length)] ^= 0x20;
  writeFileSync(path, bytes);
}

export const CORRUPTIONS: Corruption[] = [
  {
    name: 'garbled state.json',
    expected: 'fallback',
    damage: (d, c) => writeFileSync(inNewest(d, c, 'state.json'), '{"counters": {"step": 1'),
  },
  {
    name: 'empty state.json',
    expected: 'fallback',
    damage: (d, c) => writeFileSync(inNewest(d, c, 'state.json'), ''),
  },
  {
    name: 'truncated state.json',
    expected: 'fallback',
    damage: (d, c) => truncateSync(inNewest(d, c, 'state.json'), 100),
  },
  {
    name: 'state.json edited into other valid JSON',
    expected: 'fallback',
    damage: (d, c) => {
      const path = inNewest(d, c, 'state.json');
      writeFileSync(path, readFileSync(path, 'utf8').replace('"step":', '"step": 1e9, "was":'));
    },
  },
  {
    name: 'deleted state.json',
    expected: 'fallback',
    damage: (d, c) => unlinkSync(inNewest(d, c, 'state.json')),
  },
  {
    name: 'a bit flipped in arrays.bin',
    expected: 'fallback',
    damage: (d, c) => flipBit(inNewest(d, c, 'arrays.bin'), (length) => length >> 1),
  },
  {
    name: 'a bit flipped in the first byte of arrays.bin',
    expected: 'fallback',
    damage: (d, c) => flipBit(inNewest(d, c, 'arrays.bin'), () => 0),
  },
  {
    name: 'truncated arrays.bin',
    expected: 'fallback',
    damage: (d, c) => truncateSync(inNewest(d, c, 'arrays.bin'), 64),
  },
  {
    name: 'bytes appended to arrays.bin',
    expected: 'fallback',
    damage: (d, c) => appendFileSync(inNewest(d, c, 'arrays.bin'), Buffer.alloc(16)),
  },
  {
    name: 'deleted arrays.bin',
    expected: 'fallback',
    damage: (d, c) => unlinkSync(inNewest(d, c, 'arrays.bin')),
  },
  {
    name: 'a FIFO instead of arrays.bin',
    expected: 'fallback',
    damage: (d, c) => {
      unlinkSync(inNewest(d, c, 'arrays.bin'));
      execFileSync('mkfifo', [inNewest(d, c, 'arrays.bin')]);
    },
  },
  {
    name: 'a folder instead of state.json',
    expected: 'fallback',
    damage: (d, c) => {
      unlinkSync(inNewest(d, c, 'state.json'));
      mkdirSync(inNewest(d, c, 'state.json'));
    },
  },
  {
    name: 'deleted manifest.json',
    expected: 'fallback',
    damage: (d, c) => unlinkSync(inNewest(d, c, 'manifest.json')),
  },
  {
    name: 'garbled manifest.json',
    expected: 'fallback',
    damage: (d, c) => writeFileSync(inNewest(d, c, 'manifest.json'), '{"formatVersion": 2, "files": '),
  },
  {
    name: 'a wrong checksum in manifest.json',
    expected: 'fallback',
    damage: (d, c) => {
      const path = inNewest(d, c, 'manifest.json');
      writeFileSync(path, readFileSync(path, 'utf8').replace(/"sha256": "[0-9a-f]/, '"sha256": "x'));
    },
  },
  {
    name: 'the newest checkpoint folder deleted (checkpoint.json points at nothing)',
    expected: 'fallback',
    damage: (d, c) => rmSync(join(d, 'checkpoints', c[0]), { recursive: true }),
  },
  {
    name: 'deleted checkpoint.json',
    expected: 'resume',
    damage: (d) => unlinkSync(join(d, 'checkpoint.json')),
  },
  {
    name: 'garbled checkpoint.json',
    expected: 'resume',
    damage: (d) => writeFileSync(join(d, 'checkpoint.json'), '{"dir'),
  },
  {
    name: 'checkpoint.json naming a folder that never existed',
    expected: 'resume',
    damage: (d) =>
      writeFileSync(join(d, 'checkpoint.json'), '{"step": 5, "directory": "checkpoints/step-9"}'),
  },
  {
    name: 'leftovers of a killed write (.partial folder, .tmp files)',
    expected: 'resume',
    damage: (d) => {
      mkdirSync(join(d, 'checkpoints', '.partial-step-0000009999-env-0000000000-1'));
      writeFileSync(join(d, '.checkpoint.json.1.abc.tmp'), '{');
      writeFileSync(join(d, '.status.json.1.abc.tmp'), '');
    },
  },
  {
    name: 'every checkpoint damaged',
    expected: 'named error',
    damage: (d, c) => {
      for (const name of c) truncateSync(join(d, 'checkpoints', name, 'arrays.bin'), 8);
      return join(d, 'checkpoints', c[0], 'arrays.bin');
    },
  },
  {
    name: 'the checkpoints folder deleted',
    expected: 'named error',
    damage: (d) => {
      rmSync(join(d, 'checkpoints'), { recursive: true });
      return join(d, 'checkpoints');
    },
  },
];

function runCli(
  args: string[],
  timeoutMs: number,
): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    });
  });
}

/** A stopped run with three checkpoints, and the uninterrupted run's curves. */
async function baseRun(directory: string): Promise<{ stopped: string; updates: string }> {
  const dataset = join(directory, 'pendulum.arrow');
  await generateDataset({
    envId: 'pendulum-v1',
    policy: 'scripted',
    episodes: 3,
    seed: 2,
    out: dataset,
    randomActionRate: 0.5,
  });
  const config = {
    env: { id: 'pendulum-v1' },
    dataset: { path: dataset },
    seed: 5,
    agent: { hiddenSizes: [16, 16], batchSize: 32 },
    offline: { steps: 120, evalInterval: 0 },
    online: { envSteps: 60 },
    eval: { episodes: 1, interval: 60 },
    checkpoint: { interval: 20, keep: 3 },
  };
  const reference = await startTrainingRun({ config, directory: join(directory, 'reference') });
  if ((await reference.done) !== 'finished') throw new Error('the reference run did not finish');
  const stopped = await startTrainingRun({ config, directory: join(directory, 'stopped') });
  stopped.bus.subscribe((event) => {
    if (event.type === 'update' && event.step === 130) void stopped.stop();
  });
  if ((await stopped.done) !== 'stopped') throw new Error('the base run did not stop');
  return {
    stopped: join(directory, 'stopped'),
    updates: curvesOf(join(directory, 'reference', 'updates.csv')),
  };
}

/** Apply each corruption to its own copy of a stopped run and resume it through the CLI. */
export async function runCorruptionProbes(
  directory: string,
  options: { only?: string[]; timeoutMs?: number; log?: (line: string) => void } = {},
): Promise<CorruptionResult[]> {
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
  const log = options.log ?? (() => {});
  const base = await baseRun(directory);
  const results: CorruptionResult[] = [];
  for (const corruption of CORRUPTIONS.filter((item) => !options.only || options.only.includes(item.name))) {
    const copy = join(directory, `case-${results.length}`);
    cpSync(base.stopped, copy, { recursive: true });
    const checkpoints = (await listCheckpoints(copy)).map((entry) => entry.name);
    const named = corruption.damage(copy, checkpoints) ?? undefined;
    const resumed = await runCli(['resume', copy], options.timeoutMs ?? 300_000);
    const stderr = resumed.stderr;
    const result: CorruptionResult = {
      name: corruption.name,
      expected: corruption.expected,
      outcome: resumed.code === null ? 'hang (killed)' : `exit ${resumed.code}`,
      handled: false,
    };
    const problems: string[] = [];
    if (/\n\s+at /.test(stderr)) problems.push('a stack trace was printed');
    if (corruption.expected === 'named error') {
      if (resumed.code !== 4) problems.push(`expected exit code 4, got ${result.outcome}`);
      if (named && !stderr.includes(named)) problems.push(`the message does not name ${named}`);
    } else {
      if (resumed.code !== 0)
        problems.push(
          `expected to resume, got ${result.outcome}: ${stderr.trim().split('\n').slice(-2).join(' ')}`,
        );
      if (
        corruption.expected === 'fallback' &&
        !/resumed from step-\S+ \(update \d+, env step \d+\)( because step-\S+ is damaged|, the newest intact checkpoint)/.test(
          stderr,
        )
      ) {
        problems.push('no warning saying which checkpoint was used and why');
      }
      if (curvesOf(join(copy, 'updates.csv')) !== base.updates)
        problems.push('the curves differ from the uninterrupted run');
      const leftovers = [
        ...readdirSync(copy),
        ...(existsSync(join(copy, 'checkpoints')) ? readdirSync(join(copy, 'checkpoints')) : []),
      ].filter((name) => name.startsWith('.partial-') || name.endsWith('.tmp'));
      if (leftovers.length > 0) problems.push(`leftovers: ${leftovers.join(', ')}`);
    }
    result.handled = problems.length === 0;
    if (!result.handled) result.problem = problems.join('; ');
    results.push(result);
    const said = stderr
      .split('\n')
      .find((line) => /^(warn:|o2o:)/.test(line) && !line.includes('run directory'));
    log(
      `${corruption.name}: ${result.outcome}${said ? ` — ${said.slice(0, 240)}` : ''}${result.problem ? ` — PROBLEM: ${result.problem}` : ''}`,
    );
    if (result.handled) rmSync(copy, { recursive: true, force: true });
  }
  return results;
}
