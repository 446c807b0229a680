import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**', 'test/**/*.svelte.test.ts', '**/node_modules/**'],
        },
      },
      {
        // Renderer modules written with Svelte runes (*.svelte.ts), compiled by the Svelte plugin.
        extends: true,
        plugins: [svelte()],
        test: {
          name: 'renderer',
          include: ['test/renderer/**/*.svelte.test.ts'],
        },
      },
      {
        // End-to-end tests: the real renderer in Debian's chromium against `o2o serve`, and the
        // Electron app where a binary exists. They build the renderer first when it is missing.
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/e2e/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 240_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
