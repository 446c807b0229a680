/**
 * Vite build of the renderer. `base: './'` keeps asset URLs relative so the same bundle loads from
 * the desktop shell's app protocol and from the browser-mode server. The output has no inline
 * scripts (the pages run under a CSP with script-src 'self').
 *
 * During `npm run dev:renderer`, set O2O_SERVER=http://127.0.0.1:PORT to forward the WebSocket
 * API to a running `o2o serve` (the UI always talks to the real engine).
 */
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));
const server = process.env.O2O_SERVER;

// A build is always a production build, even when the caller set NODE_ENV (a test runner sets
// "test"), which would otherwise select Svelte's development build with its runtime checks.
if (process.argv.includes('build')) process.env.NODE_ENV = 'production';

export default defineConfig({
  root,
  base: './',
  plugins: [svelte()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Never inline assets as data: URLs into scripts; keep every script a separate file.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1000,
  },
  server: {
    host: '127.0.0.1',
    proxy: server ? { '/api': { target: server, ws: true } } : undefined,
  },
  preview: { host: '127.0.0.1' },
});
