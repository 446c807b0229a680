#!/usr/bin/env node
/** Entry point of the `o2o` binary. */
import { main } from './program.js';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
