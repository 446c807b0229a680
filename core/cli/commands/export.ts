/** `o2o export RUN_DIR --format onnx|tfjs|json --out PATH [--json]`: write the run's deterministic policy. */
import type { Command } from 'commander';
import { EXPORT_FORMATS, exportPolicy, type ExportFormat } from '../../export/export-run.js';
import { UserFacingError } from '../errors.js';

export function registerExport(program: Command): void {
  program
    .command('export')
    .description("export a run's policy (observation normalisation and action scaling included)")
    .argument('<run-dir>', 'the run directory')
    .requiredOption('-f, --format <format>', `one of ${EXPORT_FORMATS.join(', ')}`)
    .requiredOption('-o, --out <path>', 'output file (a directory for tfjs)')
    .option('--json', 'print the result as one JSON object')
    .action(async (directory: string, options: { format: string; out: string; json?: boolean }) => {
      if (!EXPORT_FORMATS.includes(options.format as ExportFormat)) {
        throw new UserFacingError(
          `--format: expected one of ${EXPORT_FORMATS.join(', ')}, got "${options.format}"`,
        );
      }
      const result = await exportPolicy({
        runDirectory: directory,
        format: options.format as ExportFormat,
        path: options.out,
      });
      const line = options.json
        ? JSON.stringify({ format: options.format, ...result })
        : `wrote ${options.format} policy to ${result.path} (${result.bytes} bytes)`;
      process.stdout.write(`${line}\n`);
    });
}
