/**
 * The robustness probes in full (`npm run robustness`): malformed HTTP and WebSocket input against
 * a live `o2o serve`, kill -9 at ≥ 30 moments of training runs, damaged checkpoints, and ≥ 600
 * fuzzed dataset files. Prints one JSON line of counts per probe on stdout and the detail on
 * stderr; exits with 1 when anything crashed, hung, lost a run or showed a user a stack trace.
 * The test suite runs a fast slice of each (test/robustness/*.test.ts).
 *
 *   npm run robustness                         everything
 *   npm run robustness -- --only fuzz,server   some probes (server, kill, checkpoints, fuzz)
 *   npm run robustness -- --kills 40 --fuzz 1000
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runCorruptionProbes } from './checkpoint-corruptions.js';
import { runFuzzCases, tally, writeFuzzCases } from './dataset-fuzz.js';
import { runKillProbes } from './kill-probes.js';
import { probeLiveServer } from './serve-probes.js';

const ROOT = join(import.meta.dirname, '..', '..');
const { values } = parseArgs({
  options: {
    only: { type: 'string', default: 'server,kill,checkpoints,fuzz' },
    kills: { type: 'string', default: '32' },
    fuzz: { type: 'string', default: '660' },
    keep: { type: 'boolean', default: false },
  },
});
const only = new Set(values.only.split(','));
const scratch = mkdtempSync(join(tmpdir(), 'o2o-robustness-'));
const log = (line: string) => process.stderr.write(`${line}\n`);
const report = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);
let failed = false;
const started = Date.now();

try {
  if (only.has('server')) {
    if (!existsSync(join(ROOT, 'renderer', 'dist', 'index.html'))) {
      log('building the user interface for o2o serve…');
      spawnSync('npm', ['run', 'build:renderer'], { cwd: ROOT, stdio: 'inherit' });
    }
    const live = await probeLiveServer(join(scratch, 'runs'), log);
    const down = live.probes.filter((probe) => !probe.alive).length;
    const ok =
      down === 0 && live.runProgress > 0 && live.exit.code === 130 && live.finalRunState === 'stopped';
    failed ||= !ok;
    report({
      probe: 'server',
      inputs: live.probes.length,
      serverDownAfter: down,
      hostedRunUpdatesDuringProbes: live.runProgress,
      sigtermExitCode: live.exit.code,
      sigtermSeconds: live.exit.seconds,
      hostedRunFinalState: live.finalRunState,
      ok,
    });
  }

  if (only.has('kill')) {
    const results = await runKillProbes({
      directory: join(scratch, 'kills'),
      trials: Number(values.kills),
      log,
    });
    const problems = results.filter((result) => result.problem);
    failed ||= problems.length > 0;
    const byMoment: Record<string, number> = {};
    for (const result of results.filter((item) => item.killed)) {
      byMoment[result.moment] = (byMoment[result.moment] ?? 0) + 1;
    }
    report({
      probe: 'kill -9',
      trials: results.length,
      killedMidRun: results.filter((result) => result.killed).length,
      resumedAndFinished: results.filter((result) => result.resumed).length,
      byteIdenticalToUninterrupted: results.filter((result) => result.identical).length,
      checkpointWritesCut: results.filter((result) => result.cutCheckpointWrite).length,
      withDataset: results.filter((result) => result.killed && result.config !== 'warmup').length,
      byMoment,
      lostRuns: problems.length,
      ok: problems.length === 0,
    });
  }

  if (only.has('checkpoints')) {
    const results = await runCorruptionProbes(join(scratch, 'checkpoints'), { log });
    const unhandled = results.filter((result) => !result.handled);
    failed ||= unhandled.length > 0;
    report({
      probe: 'checkpoint corruption',
      cases: results.length,
      fellBackAndFinished: results.filter((result) => result.handled && result.expected === 'fallback')
        .length,
      resumedDespitePointerDamage: results.filter((result) => result.handled && result.expected === 'resume')
        .length,
      namedErrorExit4: results.filter((result) => result.handled && result.expected === 'named error').length,
      unhandled: unhandled.length,
      ok: unhandled.length === 0,
    });
  }

  if (only.has('fuzz')) {
    const cases = writeFuzzCases(join(scratch, 'fuzz'), Number(values.fuzz));
    const outcomes = await runFuzzCases(cases);
    const counts = tally(outcomes);
    for (const outcome of outcomes.filter(
      (item) => item.verdict !== 'loaded' && item.verdict !== 'refused',
    )) {
      log(`fuzz ${outcome.verdict}: ${outcome.name}: ${outcome.message}`);
    }
    const ok = counts['inhuman-message'] === 0 && counts.crash === 0 && counts.hang === 0;
    failed ||= !ok;
    report({ probe: 'dataset fuzz', files: outcomes.length, ...counts, ok });
  }
} finally {
  if (!values.keep) rmSync(scratch, { recursive: true, force: true });
  else log(`probe files kept in ${scratch}`);
}
log(`robustness probes ${failed ? 'FAILED' : 'passed'} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exitCode = failed ? 1 : 0;
