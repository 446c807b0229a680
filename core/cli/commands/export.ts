/**
 * `o2o export RUN_DIR --format onnx|tfjs|json --out PATH [--policy latest|best] [--json]`: write the
 * run's deterministic policy, at its newest checkpoint or at its best evaluation.
 */
import type { Command } from 'commander';
import { describeScore } from '../../common/best-evaluation.js';
import {
  EXPORT_FORMATS,
  exportPolicy,
  POLICY_CHOICES,
  type ExportFormat,
  type ExportResult,
  type PolicyChoice,
} from '../../export/export-run.js';
import { UserFacingError } from '../errors.js';

export function registerExport(program: Command): void {
  program
    .command('export')
    .description("export a run's policy (observation normalisation and action scaling included)")
    .argument('<run-dir>', 'the run directory')
    .requiredOption('-f, --format <format>', `one of ${EXPORT_FORMATS.join(', ')}`)
    .requiredOption('-o, --out <path>', 'output file (a directory for tfjs)')
    .option(
      '--policy <which>',
      "'latest' (the newest checkpoint's policy) or 'best' (the policy of the run's best evaluation: success rate, else normalised score, else mean return)",
      'latest',
    )
    .option('--json', 'print the result as one JSON object')
    .action(
      async (directory: string, options: { format: string; out: string; policy: string; json?: boolean }) => {
        if (!EXPORT_FORMATS.includes(options.format as ExportFormat)) {
          throw new UserFacingError(
            `--format: expected one of ${EXPORT_FORMATS.join(', ')}, got "${options.format}"`,
          );
        }
        if (!POLICY_CHOICES.includes(options.policy as PolicyChoice)) {
          throw new UserFacingError(
            `--policy: expected one of ${POLICY_CHOICES.join(', ')}, got "${options.policy}"`,
          );
        }
        const result = await exportPolicy({
          runDirectory: directory,
          format: options.format as ExportFormat,
          path: options.out,
          policy: options.policy as PolicyChoice,
        });
        const line = options.json
          ? JSON.stringify({ format: options.format, policy: options.policy, ...result })
          : `wrote ${options.format} policy ${describeExported(result)} to ${result.path} (${result.bytes} bytes)`;
        process.stdout.write(`${line}\n`);
      },
    );
}

/** "at update 30000, env step 5000", or for the best: "of the best evaluation (success rate 100%, online, update 12000, env step 3000)". */
function describeExported(result: ExportResult): string {
  const at = `update ${result.step}${result.envStep > 0 ? `, env step ${result.envStep}` : ''}`;
  const { evaluation } = result;
  return evaluation
    ? `of the best evaluation (${describeScore(evaluation, (value) => String(Number(value.toFixed(1))))}, ${evaluation.phase}, ${at})`
    : `at ${at}`;
}
