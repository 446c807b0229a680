/**
 * Child process of the dataset fuzzer: loads each file named in the JSON list given as its
 * argument and prints one JSON line per file: {ok} or {ok: false, datasetError, message}.
 */
import { readFileSync } from 'node:fs';
import { loadDataset } from '../../core/data/load.js';
import { DatasetError } from '../../core/data/types.js';

const paths = JSON.parse(readFileSync(process.argv[2], 'utf8')) as string[];
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
for (const path of paths) {
  let line: string;
  try {
    await loadDataset(path);
    line = JSON.stringify({ ok: true });
  } catch (error) {
    line = JSON.stringify({
      ok: false,
      datasetError: error instanceof DatasetError,
      message: error instanceof Error ? error.message : String(error),
    });
  }
  process.stdout.write(`${line}\n`);
}
