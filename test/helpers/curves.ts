/**
 * A run's logged curves with the wall-clock column taken out, so that a resumed run can be compared
 * byte for byte with one that ran straight through (everything but the time of day must match).
 */
import { existsSync, readFileSync } from 'node:fs';

/** The text of a CSV log without its `time` column ('' when the file does not exist). */
export function curvesOf(path: string): string {
  if (!existsSync(path)) return '';
  return withoutColumn(readFileSync(path, 'utf8'), 'time');
}

/** CSV text with the column `name` taken out (unchanged when it has none). */
export function withoutColumn(text: string, name: string): string {
  const lines = text.split('\n');
  const column = lines[0].split(',').indexOf(name);
  if (column < 0) return text;
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
