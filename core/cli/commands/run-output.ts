/**
 * What the terminal shows while a run trains (`o2o train`, `o2o resume`): a progress bar with
 * phase, progress, update and environment steps, the last evaluation return, the last training
 * episode's return, β, ESS/n and ETA (fields are dropped, least important first, so that the bar
 * always fits the terminal's width), plus one line per phase change, evaluation, checkpoint and
 * state change; or, with `--json`, every event as one JSON line on stdout. Ctrl-C stops the run
 * with a final checkpoint, says how to resume it and exits with code 130; a second Ctrl-C exits at once.
 */
import { MultiBar, type Params, type SingleBar } from 'cli-progress';
import type { RunEvent } from '../../common/events.js';
import type { TrainingRun } from '../../train/run.js';
import { totalWork } from '../../train/run.js';
import { ExitCode, exitCodeFor } from '../errors.js';

export interface RunOutputOptions {
  json?: boolean;
  /** Without a terminal, print plain lines instead of a bar (default: detect). */
  tty?: boolean;
  /** Terminal width in columns (default: the terminal's, else 80). */
  columns?: () => number;
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

/** What the progress bar shows besides the bar itself. */
export interface BarFields {
  phase: string;
  /** Progress in [0, 1]. */
  progress: number;
  step: number;
  envStep: number;
  /** Mean return of the newest evaluation, or null before the first. */
  evaluationReturn: number | null;
  /** Return of the newest finished training episode (stochastic policy, exploration), or null. */
  trainingReturn: number | null;
  beta: number | null;
  essFraction: number | null;
  /** Seconds to the end, or null while unknown. */
  etaSeconds: number | null;
}

/** 75 → "1m15s", 4000 → "1h06m"; "–" when unknown. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * The bar line for a terminal `width` columns wide: at most width − 1 characters (the last column
 * would wrap on some terminals). Fields are dropped least important first (training-episode
 * return, ESS/n, β, env step, update, evaluation return, ETA), then the bar shrinks to 10 cells.
 */
export function formatBarLine(fields: BarFields, width: number): string {
  const percent = `${(100 * Math.min(1, Math.max(0, fields.progress))).toFixed(0)}%`;
  // [text, priority]: lower priority is dropped first.
  const optional: [string, number][] = [
    [`update ${fields.step}`, 4],
    [`env ${fields.envStep}`, 3],
    [`eval return ${formatNumber(fields.evaluationReturn)}`, 5],
    [`train-episode return ${formatNumber(fields.trainingReturn)}`, 0],
    [`β ${formatNumber(fields.beta)}`, 2],
    [`ESS/n ${formatNumber(fields.essFraction, 2)}`, 1],
    [`ETA ${formatDuration(fields.etaSeconds)}`, 6],
  ];
  const limit = Math.max(20, width - 1);
  const compose = (kept: [string, number][], cells: number): string => {
    const filled = Math.round(cells * Math.min(1, Math.max(0, fields.progress)));
    const bar = `${'█'.repeat(filled)}${'░'.repeat(cells - filled)}`;
    return [`${fields.phase} ${bar} ${percent}`, ...kept.map(([text]) => text)].join(' · ');
  };
  let kept = [...optional];
  for (;;) {
    const line = compose(kept, 10);
    if (line.length <= limit || kept.length === 0) {
      const spare = limit - line.length;
      return compose(kept, 10 + Math.max(0, Math.min(20, spare)));
    }
    const lowest = kept.reduce((low, field) => (field[1] < low[1] ? field : low));
    kept = kept.filter((field) => field !== lowest);
  }
}

/** A log line broken at spaces into pieces of at most `width` − 1 characters (the bar turns line wrapping off). */
export function wrapLine(line: string, width: number): string[] {
  const limit = Math.max(20, width - 1);
  const pieces: string[] = [];
  let rest = line;
  while (rest.length > limit) {
    let cut = rest.lastIndexOf(' ', limit);
    if (cut <= 0) cut = limit;
    pieces.push(rest.slice(0, cut));
    rest = `  ${rest.slice(cut).trimStart()}`;
  }
  pieces.push(rest);
  return pieces;
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
  const columns = options.columns ?? (() => process.stderr.columns || 80);
  let bars: MultiBar | undefined;
  let bar: SingleBar | undefined;
  const fields: BarFields = {
    phase: '…',
    progress: 0,
    step: 0,
    envStep: 0,
    evaluationReturn: null,
    trainingReturn: null,
    beta: null,
    essFraction: null,
    etaSeconds: null,
  };
  const print = (line: string) => {
    if (bars) for (const piece of wrapLine(line, columns())) bars.log(`${piece}\n`);
    else process.stderr.write(`${line}\n`);
  };
  if (!options.json && tty) {
    bars = new MultiBar({
      format: (_options, params: Params) => {
        fields.progress = params.progress;
        fields.etaSeconds = params.value > 0 && params.value < params.total ? params.eta : null;
        return formatBarLine(fields, columns());
      },
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 200,
      fps: 5,
      // Redraw the bar even when its text has not changed: a logged line written since the last
      // redraw has overwritten it (cli-progress otherwise skips an unchanged bar, and the final
      // bar could go missing under load).
      forceRedraw: true,
    });
    bar = bars.create(total, 0);
  }
  const advance = (work: number) => bar?.update(Math.min(total, work));
  const unsubscribe = run.bus.subscribe((event) => {
    if (options.json) {
      process.stdout.write(`${JSON.stringify(event)}\n`);
      return;
    }
    if (event.type === 'update') {
      Object.assign(fields, {
        phase: event.phase,
        step: event.step,
        envStep: event.envStep,
        beta: event.beta,
        essFraction: event.essFraction,
      });
      advance(event.phase === 'offline' ? event.step : config.offline.steps + event.envStep);
      return;
    }
    if (event.type === 'episode') {
      fields.trainingReturn = event.return;
      advance(config.offline.steps + event.envStep);
      return;
    }
    if (event.type === 'evaluation') fields.evaluationReturn = event.meanReturn;
    if (event.type === 'phase') fields.phase = event.phase;
    const line = describeEvent(event);
    if (line) print(line);
  });

  let interrupted = false;
  const onSignal = () => {
    if (interrupted) {
      process.stderr.write(
        `o2o: interrupted again; exiting without waiting for the checkpoint (\`o2o resume ${run.directory}\` continues from the last one)\n`,
      );
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
    if (bars) {
      // Draw the lines logged since the last redraw (the final evaluation, "finished"): the bar's
      // stop() alone would drop them.
      bars.update();
      bars.stop();
    }
    if (state === 'failed') {
      const code = exitCodeFor(run.error);
      // One sentence for the user; the stack of an internal error is in events.jsonl for a bug report.
      const details = code === ExitCode.internal ? `details in ${run.directory}/events.jsonl; ` : '';
      process.stderr.write(
        `o2o: ${readFailure(run)} (${details}\`o2o resume ${run.directory}\` continues from the last checkpoint)\n`,
      );
      return code;
    }
    if (!options.json) {
      process.stderr.write(`run directory: ${run.directory}\n`);
      if (state === 'stopped') {
        process.stderr.write(
          `stopped at update ${run.counters.step}, env step ${run.counters.envStep}; continue with: o2o resume ${run.directory}\n`,
        );
      }
    }
    return state === 'stopped' && interrupted ? ExitCode.interrupted : ExitCode.ok;
  } finally {
    unsubscribe();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
