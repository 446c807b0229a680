/**
 * Validation issues as the user sees them: a key path and a message. Every schema of the engine is
 * a zod schema owned by the module whose settings it describes (core/replay/options.ts,
 * core/beta/options.ts, core/agents/sac-config.ts, core/objectives/settings.ts), composed into the
 * run configuration by core/train/config.ts; the same schema guards the module's own entry points.
 */
import type { z } from 'zod';

export interface ValidationIssue {
  /** Key path such as "beta.targetEssFraction". */
  path: string;
  message: string;
}

/** zod issues as key paths under `prefix`; an unknown key is reported at its own path. */
export function issuesOf(error: z.ZodError, prefix: readonly string[] = []): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const issue of error.issues) {
    const parent = [...prefix, ...issue.path.map(String)];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        issues.push({
          path: [...parent, key].join('.'),
          message: `unknown key${parent.length > 0 ? ` in section "${parent.join('.')}"` : ''}`,
        });
      }
    } else {
      issues.push({ path: parent.join('.') || '(root)', message: issue.message });
    }
  }
  return issues;
}

/** One line per issue: "path: message". */
export function formatIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
}
