import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import tseslint from 'typescript-eslint';

/**
 * The layers of core/ (README.md, "Layers"): each folder and the other core folders it may import.
 * A folder imports only folders below it, so the graph has no cycles and a lower layer never needs
 * a higher one. core/common is the shared layer: the protocol and the types the engine and the
 * renderer both use; it imports nothing but itself. The renderer (renderer/) imports only
 * core/common. Lint enforces this table (no-restricted-imports, below); test/lint/layers.test.ts
 * checks that the rule still fires.
 */
// prettier-ignore
export const CORE_LAYERS = {
  common:     [],
  util:       [],
  returns:    [],
  objectives: [],
  priority:   [],
  tensor:     ['util'],
  envs:       ['common', 'util'],
  beta:       ['common'],
  replay:     ['common', 'priority', 'util'],
  agents:     ['common', 'envs', 'objectives', 'replay', 'returns', 'tensor', 'util'],
  data:       ['common', 'envs', 'replay', 'util'],
  train:      ['agents', 'beta', 'common', 'data', 'envs', 'objectives', 'replay', 'returns', 'tensor', 'util'],
  export:     ['agents', 'common', 'envs', 'tensor', 'train', 'util'],
  server:     ['agents', 'beta', 'common', 'data', 'envs', 'export', 'objectives', 'priority', 'replay', 'returns', 'tensor', 'train', 'util'],
  cli:        ['agents', 'beta', 'common', 'data', 'envs', 'export', 'objectives', 'priority', 'replay', 'returns', 'server', 'tensor', 'train', 'util'],
};

/** Folder nesting the layer rules cover (core/<layer>/a/b/c/file.ts is depth 3). */
export const LAYER_RULE_MAX_DEPTH = 3;

const SOURCE_FILES = '*.{ts,mts,cts,js,mjs,svelte}';

/**
 * One config block per layer and folder depth: a relative import that climbs to the folder above
 * the layer (depth + 1 times "../") must continue into the layer itself or an allowed one. Anything
 * else (a higher layer, core/index.ts, or a path out of the folder) is reported with the rule broken.
 */
function layerRules(root, allowed, message) {
  return Array.from({ length: LAYER_RULE_MAX_DEPTH + 1 }, (_, depth) => ({
    files: [`${root}/${'*/'.repeat(depth)}${SOURCE_FILES}`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(?:\\.\\./){${depth + 1}}(?!(?:${allowed.join('|')})(?:/|$))`,
              message,
            },
          ],
        },
      ],
    },
  }));
}

const layerConfigs = [
  ...Object.entries(CORE_LAYERS).flatMap(([layer, allowed]) =>
    layerRules(
      `core/${layer}`,
      [layer, ...allowed],
      `Layer rule: core/${layer} may import only ${
        allowed.length ? allowed.map((name) => `core/${name}`).join(', ') : 'itself'
      } (CORE_LAYERS in eslint.config.js).`,
    ),
  ),
  // The renderer reaches the repository root and may go on only into itself or core/common.
  ...layerRules(
    'renderer',
    ['renderer', 'core/common'],
    'Layer rule: the renderer may import only core/common (CORE_LAYERS in eslint.config.js).',
  ),
];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'renderer/dist/**',
      'release/**',
      'runs/**',
      '**/*.arrow',
      '.tmp/**',
      'core/tensor/native/build/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    // Svelte components and rune modules (renderer/): TypeScript inside, checked by svelte-check.
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
    rules: { 'no-undef': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  ...layerConfigs,
);
