/**
 * The layer rules of eslint.config.js (CORE_LAYERS): ESLint runs on small snippets placed, by file
 * path, in a layer, so a change that makes the patterns stop matching fails here rather than
 * letting forbidden imports through silently.
 */
import { readdirSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// The config is plain JavaScript (ESLint loads it without a compiler); its table is typed here.
const config = (await import(new URL('../../eslint.config.js', import.meta.url).href)) as {
  CORE_LAYERS: Record<string, string[]>;
  LAYER_RULE_MAX_DEPTH: number;
};
const { CORE_LAYERS, LAYER_RULE_MAX_DEPTH } = config;
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: root });
});

/** Messages of the layer rule for `code` linted as if it were the file `path` (relative to the repository). */
async function layerMessages(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  expect(result.messages.filter((m) => m.fatal)).toEqual([]);
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer rules', () => {
  it('refuses an import from a higher layer, naming the rule broken', async () => {
    const messages = await layerMessages(
      'core/data/x.ts',
      "import { startTrainingRun } from '../train/run.js';\nexport const f = startTrainingRun;\n",
    );
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(
      'Layer rule: core/data may import only core/common, core/envs, core/replay, core/util',
    );
  });

  it('allows imports from the layer itself and from allowed layers', async () => {
    const messages = await layerMessages(
      'core/data/x.ts',
      [
        "import { makeEnv } from '../envs/registry.js';",
        "import type { DatasetCard } from '../common/dataset-card.js';",
        "import { DatasetError } from './types.js';",
        "import { inspectDataset } from '../data/inspect.js';",
        'export const f = [makeEnv, DatasetError, inspectDataset];',
        'export type C = DatasetCard;',
      ].join('\n') + '\n',
    );
    expect(messages).toEqual([]);
  });

  it('checks type-only imports and re-exports too', async () => {
    const messages = await layerMessages(
      'core/common/x.ts',
      "import type { Env } from '../envs/types.js';\nexport type { RunConfig } from '../train/config.js';\nexport type E = Env;\n",
    );
    expect(messages).toHaveLength(2);
    for (const message of messages)
      expect(message).toContain('Layer rule: core/common may import only itself');
  });

  it('covers files in nested folders of a layer', async () => {
    const refused = await layerMessages(
      'core/envs/mujoco/x.ts',
      "import { startTrainingRun } from '../../train/run.js';\nexport const f = startTrainingRun;\n",
    );
    expect(refused).toHaveLength(1);
    expect(refused[0]).toContain('core/envs may import only core/common, core/util');
    const allowed = await layerMessages(
      'core/envs/mujoco/x.ts',
      "import { Rng } from '../../util/random.js';\nimport type { Env } from '../types.js';\nexport const f = Rng;\nexport type E = Env;\n",
    );
    expect(allowed).toEqual([]);
  });

  it("refuses core/index.ts and paths out of core/ inside the engine's layers", async () => {
    const messages = await layerMessages(
      'core/train/x.ts',
      "import { SacLearner } from '../index.js';\nimport { start } from '../../electron/main.js';\nexport const f = [SacLearner, start];\n",
    );
    expect(messages).toHaveLength(2);
  });

  it('lets the renderer import core/common and nothing else of core', async () => {
    const refused = await layerMessages(
      'renderer/src/lib/x.ts',
      "import { startTrainingRun } from '../../../core/train/run.js';\nimport type { Env } from '../../../core/envs/types.js';\nexport const f = startTrainingRun;\nexport type E = Env;\n",
    );
    expect(refused).toHaveLength(2);
    expect(refused[0]).toContain('Layer rule: the renderer may import only core/common');
    const allowed = await layerMessages(
      'renderer/src/lib/x.ts',
      "import type { RunEvent } from '../../../core/common/events.js';\nimport { api } from './api.js';\nexport const f = api;\nexport type E = RunEvent;\n",
    );
    expect(allowed).toEqual([]);
  });

  it('checks the script of Svelte components', async () => {
    const messages = await layerMessages(
      'renderer/src/views/X.svelte',
      '<script lang="ts">\n  import type { RunSummary } from \'../../../core/server/engine-service.js\';\n  let { run }: { run: RunSummary } = $props();\n</script>\n\n<p>{run.name}</p>\n',
    );
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain('the renderer may import only core/common');
  });
});

describe('the layer table', () => {
  it('names every folder of core/, and only those', () => {
    const folders = readdirSync(join(root, 'core'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    expect(Object.keys(CORE_LAYERS).sort()).toEqual(folders);
    for (const allowed of Object.values(CORE_LAYERS))
      for (const name of allowed) expect(folders).toContain(name);
  });

  it('has no cycles: every layer can be ordered after the layers it imports', () => {
    const placed = new Set<string>();
    let progress = true;
    while (progress) {
      progress = false;
      for (const [layer, allowed] of Object.entries(CORE_LAYERS)) {
        if (!placed.has(layer) && allowed.every((name) => placed.has(name))) {
          placed.add(layer);
          progress = true;
        }
      }
    }
    expect([...placed].sort()).toEqual(Object.keys(CORE_LAYERS).sort());
  });

  it('reaches as deep as the source files of core/ and renderer/ are nested', () => {
    const deepest = (folder: string): number => {
      let max = 0;
      const walk = (directory: string): void => {
        for (const entry of readdirSync(directory, { withFileTypes: true })) {
          const path = join(directory, entry.name);
          if (entry.isDirectory()) {
            if (!['node_modules', 'build', 'dist'].includes(entry.name)) walk(path);
          } else if (/\.(ts|mts|cts|js|mjs|svelte)$/.test(entry.name)) {
            // core/<layer>/file.ts is depth 0; renderer/file.ts is depth 0.
            const parts = relative(join(root, folder), path).split(sep).length;
            max = Math.max(max, parts - (folder === 'core' ? 2 : 1));
          }
        }
      };
      walk(join(root, folder));
      return max;
    };
    expect(deepest('core')).toBeLessThanOrEqual(LAYER_RULE_MAX_DEPTH);
    expect(deepest('renderer')).toBeLessThanOrEqual(LAYER_RULE_MAX_DEPTH);
  });
});
