/**
 * The host side of the engine worker: starts the worker thread, validates every command with the
 * protocol schemas before forwarding it (the worker validates again), matches replies to calls,
 * and relays event batches. Both the browser-mode server and the Electron main process use it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  METHODS,
  type CommandResponse,
  type EngineService,
  type EventBatch,
  type Method,
} from '../common/protocol.js';
import { RemoteCommandError, respond } from './respond.js';
import type { EngineWorkerData, HostToWorker, WorkerToHost } from './worker-messages.js';

/** URL of the worker entry next to this module (.js when built, .ts when run from source). */
export function defaultWorkerUrl(): URL {
  const extension = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  return new URL(`./engine-worker.${extension}`, import.meta.url);
}

/** The ESM build of tsx's loader API (its `import` export; the CommonJS one cannot register from a worker). */
function tsxEsmApiPath(): string {
  const manifestPath = createRequire(import.meta.url).resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    exports: Record<string, { import: { default: string } }>;
  };
  return join(dirname(manifestPath), manifest.exports['./esm/api'].import.default);
}

/**
 * A worker for `url`. A TypeScript entry (tests and `tsx` runs from source) starts through a small
 * bootstrap that registers the tsx loader inside the worker first, because Node 20 does not apply
 * `--import` loaders to a worker's entry module.
 */
function createWorker(url: URL, data: EngineWorkerData): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData: data });
  const tsxApi = pathToFileURL(tsxEsmApiPath()).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: data });
}

/** How long `close()` waits for the runs' final checkpoints before it terminates the worker. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 120_000;

interface PendingCall {
  resolve: (response: CommandResponse) => void;
}

export class EngineWorkerHost {
  /** Forwards each method to the worker; `respond(host.service, request)` validates first. */
  readonly service: EngineService;
  private readonly pending = new Map<number, PendingCall>();
  private readonly listeners = new Set<(batch: EventBatch) => void>();
  private nextId = 1;
  private closed = false;
  private failure: string | undefined;
  private readonly closedPromise: Promise<void>;

  private constructor(private readonly worker: Worker) {
    this.service = this.forwardingService();
    this.closedPromise = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (message: WorkerToHost) => this.receive(message));
    worker.on('error', (error) => this.fail(`the engine worker failed: ${error.message}`));
    worker.on('exit', (code) => {
      if (!this.closed) this.fail(`the engine worker stopped unexpectedly (exit code ${code})`);
    });
  }

  /** Start a worker and wait until its engine is ready (rejects with the reason when it cannot start). */
  static start(data: EngineWorkerData, workerUrl: URL = defaultWorkerUrl()): Promise<EngineWorkerHost> {
    const worker = createWorker(workerUrl, data);
    return new Promise((resolve, reject) => {
      const onMessage = (message: WorkerToHost): void => {
        if (message.kind === 'ready') {
          cleanup();
          resolve(new EngineWorkerHost(worker));
        } else if (message.kind === 'fatal') {
          cleanup();
          void worker.terminate();
          reject(new Error(message.message));
        }
      };
      const onError = (error: Error): void => {
        cleanup();
        reject(new Error(`the engine worker failed to start: ${error.message}`));
      };
      const onExit = (code: number): void => {
        cleanup();
        reject(new Error(`the engine worker exited during start-up (exit code ${code})`));
      };
      const cleanup = (): void => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
  }

  /** Validate and run one request (any shape); never throws. */
  handle(request: unknown): Promise<CommandResponse> {
    return respond(this.service, request);
  }

  /**
   * Let the UI use `path` (and what lies below it) for reading or writing: the user picked it in a
   * native dialog. Ordered with the commands that follow it.
   */
  grant(access: 'read' | 'write', path: string): void {
    this.post({ kind: 'grant', access, path });
  }

  onEvents(listener: (batch: EventBatch) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Ask the engine to stop its runs (final checkpoints) and end the worker. When it has not ended
   * within `timeoutMs` (a command stuck in the worker), the worker is terminated: the runs keep
   * their last checkpoints. Resolves true when the shutdown was clean.
   */
  async close(timeoutMs = DEFAULT_CLOSE_TIMEOUT_MS): Promise<boolean> {
    if (!this.closed) {
      this.closed = true;
      this.post({ kind: 'shutdown' });
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const clean = await Promise.race([
      this.closedPromise.then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (!clean) {
      await this.worker.terminate();
      await this.closedPromise;
    }
    this.rejectPending('the engine was shut down');
    return clean;
  }

  /** End the worker now, without waiting for final checkpoints. */
  async terminate(): Promise<void> {
    this.closed = true;
    await this.worker.terminate();
    this.rejectPending('the engine was shut down');
  }

  private post(message: HostToWorker): void {
    try {
      this.worker.postMessage(message);
    } catch (error) {
      this.fail(`the engine worker cannot be reached: ${(error as Error).message}`);
    }
  }

  private forwardingService(): EngineService {
    const service: Record<string, unknown> = {
      onEvents: (listener: (batch: EventBatch) => void) => this.onEvents(listener),
    };
    for (const method of METHODS) service[method] = (params: unknown) => this.forward(method, params);
    return service as unknown as EngineService;
  }

  private forward(method: Method, params: unknown): Promise<unknown> {
    if (this.failure) return Promise.reject(new RemoteCommandError(this.failure, 'failed'));
    if (this.closed) return Promise.reject(new RemoteCommandError('the engine was shut down', 'failed'));
    const id = this.nextId++;
    return new Promise<CommandResponse>((resolve) => {
      this.pending.set(id, { resolve });
      this.post({ kind: 'call', request: { id, method, params } });
    }).then((response) => {
      if ('error' in response) {
        throw new RemoteCommandError(response.error.message, response.error.code, response.error.issues);
      }
      return response.result;
    });
  }

  private receive(message: WorkerToHost): void {
    if (message.kind === 'response') {
      const call = this.pending.get(message.response.id);
      if (!call) return;
      this.pending.delete(message.response.id);
      call.resolve(message.response);
    } else if (message.kind === 'events') {
      for (const listener of this.listeners) {
        try {
          listener(message.batch);
        } catch {
          // one failing transport must not break the others
        }
      }
    } else if (message.kind === 'fatal') {
      this.fail(message.message);
    }
  }

  private fail(reason: string): void {
    this.failure ??= reason;
    this.rejectPending(reason);
  }

  private rejectPending(reason: string): void {
    for (const [id, call] of this.pending) {
      call.resolve({ id, error: { message: reason, code: 'failed' } });
    }
    this.pending.clear();
  }
}
