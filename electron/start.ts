#!/usr/bin/env node
/** Entry point of `npm start`: the desktop app, or the browser mode where Electron cannot run. */
import { launch } from './launch.js';

launch(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`o2o start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
