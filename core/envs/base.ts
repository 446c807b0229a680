/** Shared machinery of the built-in environments: seeding, the time limit, option checking. */
import type { z } from 'zod';
import { Rng } from '../util/random.js';
import type { BoxSpace, Env, Space, StepResult } from './types.js';
import type { RenderSnapshot } from '../common/render-snapshot.js';

/**
 * Validate an environment's options object against `schema` (a strict zod object), turning a
 * failure into one readable Error that names the environment and the option.
 */
export function parseEnvOptions<T extends z.ZodType>(
  envId: string,
  schema: T,
  options: Record<string, unknown> | undefined,
): z.infer<T> {
  const result = schema.safeParse(options ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return `unknown option(s) ${issue.keys.map((key) => `"${key}"`).join(', ')}`;
    }
    const where = issue.path.length > 0 ? `option "${issue.path.join('.')}"` : 'options';
    return `${where}: ${issue.message}`;
  });
  throw new RangeError(`${envId}: ${problems.join('; ')}`);
}

/**
 * Base class: keeps the step counter and sets `truncated` at the time limit (Gymnasium's
 * TimeLimit wrapper), owns the seeded generator, and refuses to step before `reset` or after
 * the episode ended. Subclasses implement `resetState` and `advance`.
 */
export abstract class EnvBase implements Env {
  abstract readonly id: string;
  abstract readonly observationSpace: BoxSpace;
  abstract readonly actionSpace: Space;
  abstract readonly maxEpisodeSteps: number;
  readonly referenceScores?: { min: number; max: number };
  readonly goalConditioned: boolean = false;

  protected rng = new Rng(0);
  private elapsedSteps = 0;
  private episodeOpen = false;

  /** Steps taken in the current episode. */
  get elapsed(): number {
    return this.elapsedSteps;
  }

  reset(seed?: number): Float32Array {
    if (seed !== undefined) this.rng = new Rng(seed);
    this.elapsedSteps = 0;
    this.episodeOpen = true;
    return this.resetState();
  }

  step(action: Float32Array | number): StepResult {
    if (!this.episodeOpen) {
      throw new Error(
        `${this.id}: step() called ${this.elapsedSteps === 0 ? 'before reset()' : 'after the episode ended; call reset()'}`,
      );
    }
    const result = this.advance(action);
    this.elapsedSteps++;
    if (!result.terminated && this.elapsedSteps >= this.maxEpisodeSteps) result.truncated = true;
    if (result.terminated || result.truncated) this.episodeOpen = false;
    return result;
  }

  abstract render(): RenderSnapshot;
  protected abstract resetState(): Float32Array;
  /** One transition; `truncated` is set by the base class. */
  protected abstract advance(action: Float32Array | number): StepResult;
}
