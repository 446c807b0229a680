/**
 * Regenerates the datasets (`npm run datasets`), their card sidecars and the measured reference
 * scores from the recipes in ./recipes.ts.
 *
 *   npm run datasets                     write the shipped datasets/*.arrow, *.card.json, reference-scores.json
 *   npm run datasets -- --check          regenerate the shipped files into a temporary directory and compare bytes
 *   npm run datasets -- --large [NAME …] write the D4RL-size datasets into datasets/large/ with a progress bar
 *                                        (all, or those whose file name starts with a NAME, e.g. hopper-medium)
 *   npm run datasets -- --list           list every recipe, shipped and large
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  build,
  buildLarge,
  here,
  isConcat,
  isReplay,
  LARGE_RECIPES,
  outputs,
  RECIPES,
  type Recipe,
} from './recipes.js';

function describeRecipe(recipe: Recipe): string {
  if (isConcat(recipe)) return `= ${recipe.concat.join(' + ')}`;
  if (isReplay(recipe))
    return `replay of ${recipe.train.preset} ${recipe.train.sets.join(' ')} to ${recipe.train.envSteps} env steps`;
  return `${recipe.policy}${recipe.policyFile ? ` ${recipe.policyFile}` : ''}, ${recipe.episodes} episodes, seed ${recipe.seed}`;
}

const argv = process.argv.slice(2);
if (argv.includes('--list')) {
  for (const [kind, recipes] of [
    ['shipped', RECIPES],
    ['large', LARGE_RECIPES],
  ] as const) {
    for (const recipe of recipes)
      process.stdout.write(
        `${kind.padEnd(8)} ${recipe.file.padEnd(36)} ${recipe.envId.padEnd(20)} ${describeRecipe(recipe)}\n`,
      );
  }
} else if (argv.includes('--large')) {
  await buildLarge(argv.filter((arg) => !arg.startsWith('--')));
} else if (argv.includes('--check')) {
  const scratch = mkdtempSync(join(tmpdir(), 'o2o-datasets-'));
  try {
    await build(scratch);
    const differing = outputs().filter((name) => {
      try {
        return !readFileSync(join(scratch, name)).equals(readFileSync(join(here, name)));
      } catch {
        return true;
      }
    });
    if (differing.length > 0) {
      process.stderr.write(`regenerated files differ from the shipped ones: ${differing.join(', ')}\n`);
      process.exitCode = 1;
    } else process.stdout.write('shipped datasets are byte-identical to their recipes\n');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
} else await build(here);
