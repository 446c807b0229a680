/**
 * A run's logged curves with the wall-clock column taken out, so that a resumed run can be compared
 * byte for byte with one that ran straight through (everything but the time of day must match).
 */
import { existsSync, readFileSync } from 'node:fs';

/** The text of a CSV log without its `time` column ('' when the file does not exist). */
export function curvesOf(path: string): string {
  if (!existsSync(path)) return '';
  const lines = readFileSync(path, 'utf8').split('\n');
  const column = lines[0].split(',').indexOf('time');
  if (column < 0) return lines.join('\n');
  // Rows hold numbers and simple words only, so splitting on commas is exact.
  return lines
    .map((line) =>
      line === ''
        ? line
        : line
            .split(',')
            .filter((_, i) => i !== column)
            .join(','),
    )
    .join('\n');
}
