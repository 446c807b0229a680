import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { initApi } from './lib/api.js';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

initApi()
  .then(() => mount(App, { target }))
  .catch((error: unknown) => {
    target.textContent = `O2O Studio could not start: ${error instanceof Error ? error.message : String(error)}`;
  });
