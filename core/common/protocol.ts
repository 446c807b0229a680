/**
 * The one API between the UI and the engine, shared by both transports (Electron preload bridge
 * and the browser mode's WebSocket). Commands go down as {id, method, params}; results come back
 * as {id, result} or {id, error}; run events come up as batches {runId, events}. Every params
 * payload is validated by the schema below before a handler runs, on both transports.
 */
import { z } from 'zod';
import type { MetricDescriptor } from './metrics.js';
import type { ValidationIssue } from './validation.js';
import type { DatasetCard } from './dataset-card.js';
import type { EnvListing } from './env-listing.js';
import type { ScoredEvaluation } from './best-evaluation.js';
import type { RunEvent, RunState } from './events.js';

const runId = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,128}$/, 'a run id (letters, digits, . _ -)')
  .refine((id) => !/^\.+$/.test(id), 'a run id, not a relative folder name');
const filePath = z.string().min(1).max(4096);
const exportFormat = z.enum(['onnx', 'tfjs', 'json']);
/**
 * Which policy of a run an export writes: the newest checkpoint's ('latest'), or the one of the
 * run's best evaluation up to that checkpoint ('best'; the rule is core/common/best-evaluation.ts).
 */
export const POLICY_CHOICES = ['latest', 'best'] as const;
export type PolicyChoice = (typeof POLICY_CHOICES)[number];
const policyChoice = z.enum(POLICY_CHOICES);
/** A tag: short text without commas (the runs view edits tags as a comma-separated list). */
const tag = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[^,]+$/, 'a tag without commas');

/** Params schema of every command, by method name. */
export const commandParams = {
  'app.info': z.object({}).strict(),
  'envs.list': z.object({}).strict(),
  'presets.list': z.object({}).strict(),
  'datasets.list': z.object({}).strict(),
  'datasets.inspect': z.object({ path: filePath }).strict(),
  'config.validate': z.object({ config: z.unknown() }).strict(),
  /** The run config's JSON Schema: types, ranges, enums, defaults and a description per field. */
  'config.schema': z.object({}).strict(),
  'runs.list': z.object({}).strict(),
  'runs.start': z.object({ config: z.unknown(), name: z.string().max(200).optional() }).strict(),
  'runs.pause': z.object({ runId }).strict(),
  /** Continue a paused or stopped run; `envSteps` first raises a stopped or finished run's online budget. */
  'runs.resume': z.object({ runId, envSteps: z.number().int().positive().optional() }).strict(),
  'runs.stop': z.object({ runId }).strict(),
  'runs.history': z.object({ runId }).strict(),
  /** Change what the user may change about a stored run: its name, tags and notes (meta.json). */
  'runs.update': z
    .object({
      runId,
      name: z.string().trim().min(1).max(200).optional(),
      tags: z.array(tag).max(32).optional(),
      notes: z.string().max(20_000).optional(),
    })
    .strict(),
  /** Delete a run that is not active: its whole directory under the runs folder. */
  'runs.delete': z.object({ runId }).strict(),
  /**
   * Export to `path` (absolute, `~/…`, or relative to the base folder; default the run directory's
   * export/ folder). A destination folder that does not exist is an error (code "missing-folder")
   * unless `createFolder` is true.
   */
  'runs.export': z
    .object({
      runId,
      format: exportFormat,
      path: filePath.optional(),
      createFolder: z.boolean().optional(),
      policy: policyChoice.optional(),
    })
    .strict(),
  /** Export into the run directory's export/ folder and return the files, for a browser download. */
  'runs.download': z.object({ runId, format: exportFormat, policy: policyChoice.optional() }).strict(),
  'runs.rollout': z
    .object({
      runId,
      episodes: z.number().int().min(1).max(20).default(1),
      seed: z.number().int().optional(),
    })
    .strict(),
  /** Rollouts of an exported policy file (any export format); `envId` when the file does not name its environment. */
  'policies.rollout': z
    .object({
      path: filePath,
      envId: z.string().min(1).max(200).optional(),
      episodes: z.number().int().min(1).max(20).default(1),
      seed: z.number().int().optional(),
    })
    .strict(),
  /** Electron only: native file dialog for a dataset; `{path: null}` when cancelled. Browser mode: error 'unsupported'. */
  'dialog.openDataset': z.object({}).strict(),
  /** Electron only: native save dialog for an export; `{path: null}` when cancelled. Browser mode: error 'unsupported'. */
  'dialog.saveExport': z
    .object({ format: z.enum(['onnx', 'tfjs', 'json']), defaultName: z.string().max(200).optional() })
    .strict(),
} as const;

/** Every method name, in declaration order (the Electron preload makes one function per name). */
export const METHODS = Object.keys(commandParams) as Method[];

/** Methods that only the Electron host implements (native dialogs); the engine answers them 'unsupported'. */
export const HOST_METHODS = ['dialog.openDataset', 'dialog.saveExport'] as const satisfies readonly Method[];

export type Method = keyof typeof commandParams;
export type CommandParams<M extends Method> = z.input<(typeof commandParams)[M]>;

export interface RunSummary {
  runId: string;
  directory: string;
  name: string;
  tags: string[];
  notes: string;
  /** The run's stored (validated, fully resolved) config. */
  config: unknown;
  envId: string;
  datasetPath: string | null;
  state: RunState;
  createdAt: string;
  step: number;
  envStep: number;
  lastReturn: number | null;
}

export interface RolloutResult {
  envId: string;
  episodes: { frames: unknown[]; return: number; success: boolean }[];
}

/** Columnar history of a run, as stored in its run directory. */
export interface RunHistory {
  runId: string;
  /** How to show the learner's metric columns of `updates` (from the run's meta.json). */
  metrics: MetricDescriptor[];
  updates: Record<string, (number | string)[]>;
  episodes: Record<string, (number | string)[]>;
  evaluations: Record<string, (number | string)[]>;
  phases: { phase: string; step: number; envStep: number }[];
}

export type { ValidationIssue };

/** What an export wrote: where, how many bytes, and which policy (its update, and its evaluation when it is the best). */
export interface ExportResult {
  path: string;
  bytes: number;
  /** Gradient updates and environment steps the exported policy was trained with. */
  step: number;
  envStep: number;
  /** Present for the best policy: what its evaluation scored. */
  evaluation?: ScoredEvaluation;
}

/** Result type of every command, by method name. */
export interface CommandResults {
  'app.info': {
    version: string;
    /** The compute backend, e.g. "native (OpenBLAS, 1 thread)" or "wasm". */
    backend: string;
    /** Why no faster backend runs (empty when the fastest does). */
    backendNote?: string;
    mode: 'electron' | 'browser';
    runsDirectory: string;
    /** Relative dataset and export paths resolve against this folder (`~` is the home folder). */
    baseDirectory: string;
  };
  'envs.list': EnvListing[];
  'presets.list': { name: string; description: string; config: unknown }[];
  'datasets.list': {
    path: string;
    name: string;
    envId: string;
    rows: number;
    episodes: number;
    /** The dataset card stored in the file, when it has one. */
    card: DatasetCard | null;
  }[];
  'datasets.inspect': unknown;
  'config.validate': { ok: boolean; issues: ValidationIssue[]; config?: unknown };
  'config.schema': Record<string, unknown>;
  'runs.list': RunSummary[];
  'runs.start': { runId: string; directory: string };
  'runs.pause': { state: RunState };
  'runs.resume': { state: RunState };
  'runs.stop': { state: RunState };
  'runs.history': RunHistory;
  'runs.update': RunSummary;
  'runs.delete': { runId: string; directory: string };
  'runs.export': ExportResult;
  'runs.download': { files: { name: string; base64: string }[] };
  'runs.rollout': RolloutResult;
  'policies.rollout': RolloutResult;
  'dialog.openDataset': { path: string | null };
  'dialog.saveExport': { path: string | null };
}

/** What the engine side implements; both transports dispatch to it after validation. */
export type EngineService = {
  [M in Method]: (params: z.output<(typeof commandParams)[M]>) => Promise<CommandResults[M]>;
} & {
  /** Subscribe to event batches of all runs; returns an unsubscribe function. */
  onEvents(listener: (batch: EventBatch) => void): () => void;
};

export interface EventBatch {
  runId: string;
  events: RunEvent[];
}

export interface CommandRequest {
  id: number;
  method: string;
  params: unknown;
}

/** A message the server pushes without a request: event batches of runs. */
export interface EventsPush {
  type: 'events';
  batch: EventBatch;
}

export type ProtocolErrorCode =
  | 'unknown-method'
  | 'invalid-params'
  | 'invalid-request'
  | 'unsupported'
  | 'forbidden'
  | 'missing-folder'
  | 'rate-limited'
  | 'failed';

export type CommandResponse =
  | { id: number; result: unknown }
  | { id: number; error: { message: string; code: string; issues?: ValidationIssue[] } };

export class ProtocolError extends Error {
  constructor(
    message: string,
    readonly code: ProtocolErrorCode,
    readonly issues: ValidationIssue[] = [],
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

export function isMethod(name: string): name is Method {
  return Object.prototype.hasOwnProperty.call(commandParams, name);
}

/** Turn zod issues into key paths a user can act on. */
export function toValidationIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
}

/** Validate a request and run it on the service. Throws ProtocolError with a clear message. */
export async function dispatch(service: EngineService, request: CommandRequest): Promise<unknown> {
  if (!isMethod(request.method))
    throw new ProtocolError(`unknown method "${request.method}"`, 'unknown-method');
  const parsed = commandParams[request.method].safeParse(request.params ?? {});
  if (!parsed.success) {
    const issues = toValidationIssues(parsed.error);
    throw new ProtocolError(
      `invalid params for ${request.method}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      'invalid-params',
      issues,
    );
  }
  const handler = service[request.method] as (params: unknown) => Promise<unknown>;
  return handler.call(service, parsed.data);
}
