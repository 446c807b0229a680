/** A run directory's evaluations.csv as the records core/common/best-evaluation.ts ranks. */
import { join } from 'node:path';
import type { Phase } from '../../core/common/events.js';
import { readCsvLog } from '../../core/train/metrics-log.js';

export function storedEvaluations(runDirectory: string) {
  const { columns, rows } = readCsvLog(join(runDirectory, 'evaluations.csv'));
  return Array.from({ length: rows }, (_, i) => ({
    step: Number(columns.step[i]),
    envStep: Number(columns.envStep[i]),
    phase: columns.phase[i] as Phase,
    successRate: Number(columns.successRate[i]),
    normalizedScore: Number(columns.normalizedScore[i]),
    meanReturn: Number(columns.meanReturn[i]),
  }));
}
