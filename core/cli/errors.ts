/**
 * Exit codes a script can rely on, and the one place errors become messages.
 *
 * 0 success · 1 unexpected internal error · 2 usage error (bad flags, bad config) ·
 * 3 input data error (bad dataset file) · 4 run state error (missing or corrupt run directory) ·
 * 130 interrupted (Ctrl-C) after a clean shutdown.
 */
export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  data: 3,
  run: 4,
  interrupted: 130,
} as const;

/** An error whose message is meant for the user as-is, with the exit code it maps to. */
export class UserFacingError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.usage,
  ) {
    super(message);
    this.name = 'UserFacingError';
  }
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof UserFacingError) return error.exitCode;
  if (error && typeof error === 'object' && 'exitCode' in error && typeof error.exitCode === 'number') {
    return error.exitCode;
  }
  return ExitCode.internal;
}

export function formatError(error: unknown): string {
  if (error instanceof UserFacingError) return `o2o: ${error.message}`;
  if (error instanceof Error && 'exitCode' in error) return `o2o: ${error.message}`;
  if (error instanceof Error) return `o2o: internal error: ${error.stack ?? error.message}`;
  return `o2o: internal error: ${String(error)}`;
}
