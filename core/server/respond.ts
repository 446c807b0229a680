/**
 * Turning a request into a response, the same way on every transport: validate and dispatch, and
 * map any failure to `{id, error: {message, code, issues?}}` with a message meant for the user
 * (never a stack trace).
 */
import {
  dispatch,
  ProtocolError,
  type CommandRequest,
  type CommandResponse,
  type EngineService,
  type ProtocolErrorCode,
  type ValidationIssue,
} from '../common/protocol.js';

const KNOWN_CODES: ReadonlySet<string> = new Set<ProtocolErrorCode>([
  'unknown-method',
  'invalid-params',
  'invalid-request',
  'unsupported',
  'forbidden',
  'missing-folder',
  'rate-limited',
  'failed',
]);

/** An error carrying a protocol error code, e.g. one relayed from the engine worker. */
export class RemoteCommandError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly issues?: ValidationIssue[],
  ) {
    super(message);
    this.name = 'RemoteCommandError';
  }
}

function isIssueList(value: unknown): value is ValidationIssue[] {
  return (
    Array.isArray(value) &&
    value.every(
      (item) =>
        typeof item === 'object' &&
        item !== null &&
        typeof (item as ValidationIssue).path === 'string' &&
        typeof (item as ValidationIssue).message === 'string',
    )
  );
}

/** The error part of a response for any thrown value. */
export function errorPayload(error: unknown): { message: string; code: string; issues?: ValidationIssue[] } {
  if (error instanceof ProtocolError) {
    return error.issues.length > 0
      ? { message: error.message, code: error.code, issues: error.issues }
      : { message: error.message, code: error.code };
  }
  if (error instanceof Error) {
    const record = error as Error & { code?: unknown; issues?: unknown };
    const code = typeof record.code === 'string' && KNOWN_CODES.has(record.code) ? record.code : 'failed';
    const issues = isIssueList(record.issues) && record.issues.length > 0 ? record.issues : undefined;
    return issues ? { message: error.message, code, issues } : { message: error.message, code };
  }
  return { message: String(error), code: 'failed' };
}

/** Parse the raw shape of a request; throws ProtocolError('invalid-request') when it is not one. */
export function parseRequest(value: unknown): CommandRequest {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError('a request must be an object {id, method, params}', 'invalid-request');
  }
  const record = value as Record<string, unknown>;
  if (typeof record.id !== 'number' || !Number.isSafeInteger(record.id)) {
    throw new ProtocolError('request.id must be an integer', 'invalid-request');
  }
  if (typeof record.method !== 'string') {
    throw new ProtocolError('request.method must be a string', 'invalid-request');
  }
  return { id: record.id, method: record.method, params: record.params ?? {} };
}

/** Id of a request-like value, or -1 when it has none (the reply to an unreadable request). */
export function requestId(value: unknown): number {
  if (typeof value === 'object' && value !== null) {
    const id = (value as { id?: unknown }).id;
    if (typeof id === 'number' && Number.isSafeInteger(id)) return id;
  }
  return -1;
}

/** Validate, run and answer one request. Never throws. */
export async function respond(service: EngineService, request: unknown): Promise<CommandResponse> {
  const id = requestId(request);
  try {
    const result = await dispatch(service, parseRequest(request));
    return { id, result: result === undefined ? null : result };
  } catch (error) {
    return { id, error: errorPayload(error) };
  }
}
