/**
 * `o2o train` in a real terminal: a pseudo-terminal (util-linux `script`) 80 columns wide, its
 * output replayed into a headless xterm so the test reads the screen a person would see. The
 * final evaluation and the "finished" line must survive the progress bar, no line may be wider
 * than the terminal (the bar drops fields instead), Ctrl-C must say how to resume, and TF.js's
 * "install tfjs-node" advert must never appear. Screens go to test-artifacts/e2e/.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import xterm from '@xterm/headless';
import { afterAll, describe, expect, it } from 'vitest';
import { artifact, ROOT } from './harness.js';

const hasScript = spawnSync('script', ['--version']).status === 0;
if (!hasScript && process.env.CI) throw new Error('the terminal test needs util-linux `script`');

const TRAIN = [
  'train',
  '--preset',
  'pendulum-online',
  '--set',
  'online.warmupSteps=300',
  '--set',
  'eval.interval=300',
  '--set',
  'eval.episodes=1',
  '--set',
  'agent.hiddenSizes=[16,16]',
  '--set',
  'agent.batchSize=32',
  '--set',
  'checkpoint.interval=200',
];

const quote = (word: string) => `'${word.replace(/'/g, "'\\''")}'`;

/** Run the CLI in a `columns`-wide pseudo-terminal; `interruptAfter` (ms) types Ctrl-C. */
function runInTerminal(
  args: string[],
  columns: number,
  interruptAfter?: number,
): Promise<{ raw: string; code: number | null }> {
  const command = `stty cols ${columns} rows 40; exec ${quote(process.execPath)} --import tsx core/cli/main.ts ${args.map(quote).join(' ')}`;
  const child = spawn('script', ['-qefc', command, '/dev/null'], {
    cwd: ROOT,
    env: { ...process.env, FORCE_COLOR: '0' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let raw = '';
  child.stdout.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
  if (interruptAfter !== undefined) {
    // Ctrl-C once the first evaluation has been printed (the run is well under way).
    const poll = setInterval(() => {
      if (raw.includes('evaluation at update')) {
        clearInterval(poll);
        setTimeout(() => child.stdin.write('\x03'), interruptAfter);
      }
    }, 100);
    child.once('exit', () => clearInterval(poll));
  }
  return new Promise((resolve) => child.once('exit', (code) => resolve({ raw, code })));
}

/**
 * The screen (scrollback included) after `raw` is written to a terminal `columns` wide: its rows,
 * and its logical lines (rows the terminal wrapped joined back together).
 */
async function screenOf(raw: string, columns: number): Promise<{ rows: string[]; lines: string[] }> {
  const terminal = new xterm.Terminal({ cols: columns, rows: 40, scrollback: 5000, allowProposedApi: true });
  await new Promise<void>((resolve) => terminal.write(raw, resolve));
  const buffer = terminal.buffer.active;
  const rows: string[] = [];
  const lines: string[] = [];
  for (let i = 0; i < buffer.length; i++) {
    const line = buffer.getLine(i);
    const text = line?.translateToString(true) ?? '';
    rows.push(text);
    if (line?.isWrapped && lines.length > 0) lines[lines.length - 1] += text;
    else lines.push(text);
  }
  terminal.dispose();
  const trim = (list: string[]) => {
    while (list.length > 0 && list.at(-1) === '') list.pop();
    return list;
  };
  return { rows: trim(rows), lines: trim(lines) };
}

describe.skipIf(!hasScript)('o2o train in a terminal', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'o2o-terminal-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('keeps the final evaluation and "finished" lines at 80 columns, and the bar fits', async () => {
    const runs = join(scratch, 'runs');
    const { raw, code } = await runInTerminal([...TRAIN, '--set', 'online.envSteps=600', '--runs', runs], 80);
    const { rows, lines } = await screenOf(raw, 80);
    writeFileSync(artifact('terminal-80-columns.txt'), `${rows.join('\n')}\n`);
    expect(code).toBe(0);
    const text = lines.join('\n');
    // both evaluations (at env steps 300 and 600, the final one) and the end of the run are on screen
    expect(text).toMatch(/evaluation at update \d+, env step 300/);
    expect(text).toMatch(/evaluation at update \d+, env step 600/);
    expect(text).toMatch(/: finished$/m);
    expect(text).toMatch(/^run directory: /m);
    // long log lines are wrapped whole, never overwritten by the bar: "value bias" ends each evaluation
    expect(text.match(/value bias/g)).toHaveLength(2);
    // the bar says what its numbers are and fits in 79 columns; so does every row above it (the
    // bar turns the terminal's line wrapping off while it runs, so a longer row would be cut)
    const barRow = rows.findIndex((row) => /^online .*%/.test(row));
    expect(rows[barRow]).toMatch(/eval return -?\d/);
    for (const row of rows.slice(0, barRow + 1)) expect(row.length).toBeLessThan(80);
    expect(text).not.toContain('looks like you are running TensorFlow.js');
  });

  it('says how to resume after Ctrl-C, and loads a TF.js export without the TF.js advert', async () => {
    const runs = join(scratch, 'runs-interrupted');
    const { raw, code } = await runInTerminal(
      [...TRAIN, '--set', 'online.envSteps=50000', '--runs', runs],
      120,
      500,
    );
    const { rows, lines } = await screenOf(raw, 120);
    writeFileSync(artifact('terminal-ctrl-c.txt'), `${rows.join('\n')}\n`);
    expect(code).toBe(130);
    const [run] = readdirSync(runs);
    const text = lines.join('\n');
    expect(text).toContain(`continue with: o2o resume ${join(runs, run)}`);

    const exported = join(scratch, 'policy.tfjs');
    const run_ = join(runs, run);
    const exportResult = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'core/cli/main.ts', 'export', run_, '--format', 'tfjs', '--out', exported],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(exportResult.status, exportResult.stderr).toBe(0);
    const evaluation = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'core/cli/main.ts', 'eval', '--policy', exported, '--episodes', '1'],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(evaluation.status, evaluation.stderr).toBe(0);
    expect(`${evaluation.stdout}${evaluation.stderr}`).not.toContain(
      'looks like you are running TensorFlow.js',
    );
    expect(evaluation.stdout).toContain('return');
  });
});
