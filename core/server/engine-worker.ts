/**
 * Entry point of the engine worker thread: builds the engine service and answers the commands its
 * host forwards, pushing run event batches back. Training runs here, so neither the HTTP server
 * nor an Electron window ever waits for a gradient step.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { EngineApi } from './engine-service.js';
import { createEngineService, type EngineServiceHandle } from './engine-service.js';
import { respond } from './respond.js';
import type { EngineWorkerData, HostToWorker, WorkerToHost } from './worker-messages.js';

async function loadApi(data: EngineWorkerData): Promise<EngineApi> {
  const specifier = data.apiModule ?? new URL('./engine-api.js', import.meta.url).href;
  const module = (await import(specifier)) as { createEngineApi?: () => Promise<EngineApi> };
  if (typeof module.createEngineApi !== 'function') {
    throw new Error(`${specifier} does not export createEngineApi()`);
  }
  return module.createEngineApi();
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('engine-worker must run in a worker thread');
  const post = (message: WorkerToHost): void => port.postMessage(message);
  const data = workerData as EngineWorkerData;

  let service: EngineServiceHandle;
  try {
    service = createEngineService(await loadApi(data), data.service);
  } catch (error) {
    post({ kind: 'fatal', message: `the engine could not start: ${(error as Error).message}` });
    return;
  }
  service.onEvents((batch) => post({ kind: 'events', batch }));

  port.on('message', (message: HostToWorker) => {
    if (message.kind === 'call') {
      void respond(service, message.request).then((response) => post({ kind: 'response', response }));
    } else if (message.kind === 'grant') {
      service.grantAccess(message.access, message.path);
    } else if (message.kind === 'shutdown') {
      void service.close().finally(() => {
        post({ kind: 'closed' });
        port.close();
      });
    }
  });
  post({ kind: 'ready' });
}

void main();
