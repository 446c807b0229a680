/**
 * What the terminal shows while a run trains (`o2o train`, `o2o resume`): a progress bar with
 * phase, step, β, ESS/n, last return and ETA, plus one line per phase change, evaluation and
 * checkpoint; or, with `--json`, every event as one JSON line on stdout. Ctrl-C stops the run
 * with a final checkpoint and exits with code 130; a second Ctrl-C exits at once.
 */
import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import type { RunEvent } from '../../train/events.js';
import type { TrainingRun } from '../../train/run.js';
import { totalWork } from '../../train/run.js';
import { ExitCode, exitCodeFor, formatError } from '../errors.js';

export interface RunOutputOptions {
  json?: boolean;
  /** Without a terminal, print plain lines instead of a bar (default: detect). */
  tty?: boolean;
}

function formatNumber(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return Math.abs(value) >= 1000 ? value.toFixed(0) : value.toPrecision(digits);
}

/** One human line for an event worth a line, or undefined. */
export function describeEvent(event: RunEvent): string | undefined {
  switch (event.type) {
    case 'phase':
      return `phase ${event.phase} from update ${event.step}, env step ${event.envStep}`;
    case 'evaluation': {
      const parts = [`return ${formatNumber(event.meanReturn)} ± ${formatNumber(event.stdReturn)}`];
      if (Number.isFinite(event.successRate)) parts.push(`success ${(100 * event.successRate).toFixed(0)}%`);
      if (Number.isFinite(event.normalizedScore)) parts.push(`score ${formatNumber(event.normalizedScore)}`);
      if (Number.isFinite(event.valueBias)) parts.push(`value bias ${formatNumber(event.valueBias)}`);
      return `evaluation at update ${event.step}, env step ${event.envStep} (${event.episodes} episodes): ${parts.join(', ')}`;
    }
    case 'checkpoint':
      return `checkpoint at update ${event.step}, env step ${event.envStep}`;
    case 'run':
      return `run ${event.runId}: ${event.state}${event.message ? ` (${event.message})` : ''}`;
    case 'log':
      return `${event.level}: ${event.message}`;
    default:
      return undefined;
  }
}

/** The failure message the run recorded in its status. */
function readFailure(run: TrainingRun): string {
  return run.failureMessage ?? String(run.error);
}

/** Attach output to a run, handle Ctrl-C, wait for it to end; returns the exit code. */
export async function superviseRun(run: TrainingRun, options: RunOutputOptions = {}): Promise<number> {
  const config = run.config;
  const total = Math.max(1, totalWork(config));
  const tty = options.tty ?? Boolean(process.stderr.isTTY);
  let bars: MultiBar | undefined;
  let bar: SingleBar | undefined;
  const print = (line: string) => {
    if (bars) bars.log(`${line}\n`);
    else process.stderr.write(`${line}\n`);
  };
  if (!options.json && tty) {
    bars = new MultiBar(
      {
        format:
          '{phase} |{bar}| {percentage}% · update {step} · env {envStep} · β {beta} · ESS/n {ess} · return {lastReturn} · ETA {eta_formatted}',
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 200,
        fps: 5,
      },
      Presets.shades_classic,
    );
    bar = bars.create(total, 0, { phase: '…', step: 0, envStep: 0, beta: '–', ess: '–', lastReturn: '–' });
  }
  let lastReturn: number | null = null;
  const unsubscribe = run.bus.subscribe((event) => {
    if (options.json) {
      process.stdout.write(`${JSON.stringify(event)}\n`);
      return;
    }
    if (event.type === 'episode') lastReturn = event.return;
    if (event.type === 'update' && bar) {
      const work = event.phase === 'offline' ? event.step : config.offline.steps + event.envStep;
      bar.update(Math.min(total, work), {
        phase: event.phase,
        step: event.step,
        envStep: event.envStep,
        beta: formatNumber(event.beta),
        ess: formatNumber(event.essFraction, 2),
        lastReturn: formatNumber(lastReturn),
      });
      return;
    }
    if (event.type === 'episode' && bar) {
      bar.update(Math.min(total, config.offline.steps + event.envStep), {
        lastReturn: formatNumber(lastReturn),
      });
      return;
    }
    const line = describeEvent(event);
    if (line) print(line);
  });

  let interrupted = false;
  const onSignal = () => {
    if (interrupted) {
      process.stderr.write('o2o: interrupted again; exiting without waiting for the checkpoint\n');
      process.exit(ExitCode.interrupted);
    }
    interrupted = true;
    print('o2o: stopping after the current update and writing a final checkpoint (Ctrl-C again to abort)');
    void run.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const state = await run.done;
    bars?.stop();
    if (state === 'failed') {
      const code = exitCodeFor(run.error);
      // an error with an exit code is the user's to fix; an internal one keeps its stack in events.jsonl
      const message =
        code === ExitCode.internal
          ? `o2o: ${readFailure(run)} (details in ${run.directory}/events.jsonl; \`o2o resume\` continues from the last checkpoint)`
          : formatError(run.error);
      process.stderr.write(`${message}\n`);
      return code;
    }
    if (!options.json) process.stderr.write(`run directory: ${run.directory}\n`);
    return state === 'stopped' && interrupted ? ExitCode.interrupted : ExitCode.ok;
  } finally {
    unsubscribe();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
