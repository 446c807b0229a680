/** Messages between a host (browser-mode server or Electron main) and the engine worker thread. */
import type { CommandResponse, EventBatch } from '../common/protocol.js';
import type { EngineServiceOptions } from './engine-service.js';

/** Data the worker starts with. */
export interface EngineWorkerData {
  service: EngineServiceOptions;
  /** Module exporting `createEngineApi(): Promise<EngineApi>`; default: the real engine (engine-api.js). */
  apiModule?: string;
}

export type HostToWorker =
  | { kind: 'call'; request: { id: number; method: string; params: unknown } }
  /** The user picked `path` in a native dialog: the UI may now read (or write) it. */
  | { kind: 'grant'; access: 'read' | 'write'; path: string }
  | { kind: 'shutdown' };

export type WorkerToHost =
  | { kind: 'ready' }
  | { kind: 'response'; response: CommandResponse }
  | { kind: 'events'; batch: EventBatch }
  | { kind: 'fatal'; message: string }
  | { kind: 'closed' };
