/**
 * A checkpointed buffer taking over the replay settings of an edited config.json on resume. The
 * rows stay; what changes is how they are sampled and weighted. Every setting that only steers
 * sampling can change; `overwriteOffline` cannot, because the ring of writable rows of a full
 * buffer is laid out by it (see grow.ts).
 */
import { replaySettingsSchema } from './options.js';
import type { ReplayOptions, ReplayState } from './types.js';

/** The sampling settings a stored buffer can change (everything but its shape and layout). */
export const SAMPLING_SETTINGS = [
  'priority',
  'mode',
  'mixing',
  'offlineFraction',
  'perAlpha',
  'perImportanceStart',
  'perEpsilon',
  'roerMaxClip',
  'roerMinClip',
  'roerLambda',
  'roerDivergence',
  'weightNormalisation',
] as const satisfies readonly (keyof ReplayOptions)[];

/** The schema's defaults: what a checkpoint that predates a setting ran with. */
const SAMPLING_DEFAULTS = replaySettingsSchema.parse({});

export type SamplingSettings = Pick<ReplayOptions, (typeof SAMPLING_SETTINGS)[number] | 'overwriteOffline'>;

/** A setting the stored buffer cannot take over; `path` is its config key, `detail` what is wrong. */
export class ReplaySettingsError extends Error {
  override name = 'ReplaySettingsError';
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(`${path}: ${detail}`);
  }
}

/**
 * `state` with the sampling settings of `settings`, and the changes as readable lines
 * ("replay.mixing: union → fixed"). A new priority rule restarts every row at priority 1, as a
 * fresh run of that rule starts (priorities of another rule are on another scale: |δ|^α for PER,
 * exp(δ/β) for ROER). Throws a ReplaySettingsError naming `replay.overwriteOffline` when it changed.
 */
export function withSamplingSettings(
  state: ReplayState,
  settings: SamplingSettings,
): { state: ReplayState; changes: string[] } {
  const previous = state.options;
  if (settings.overwriteOffline !== previous.overwriteOffline) {
    throw new ReplaySettingsError(
      'replay.overwriteOffline',
      `the checkpointed buffer was laid out with ${String(previous.overwriteOffline)} and cannot change to ` +
        `${String(settings.overwriteOffline)} on resume; start a new run for that`,
    );
  }
  // A checkpoint from before a setting existed holds none: it ran with that setting's default.
  const before = (key: (typeof SAMPLING_SETTINGS)[number]) => previous[key] ?? SAMPLING_DEFAULTS[key];
  const changes = SAMPLING_SETTINGS.filter((key) => settings[key] !== before(key)).map(
    (key) => `replay.${key}: ${String(before(key))} → ${String(settings[key])}`,
  );
  if (changes.length === 0) return { state, changes };
  const options: ReplayOptions = {
    ...previous,
    ...Object.fromEntries(SAMPLING_SETTINGS.map((key) => [key, settings[key]])),
  };
  if (settings.priority === previous.priority) return { state: { ...state, options }, changes };
  return {
    state: {
      ...state,
      options,
      priorities: new Float32Array(state.priorities.length).fill(1),
      maxPriority: 1,
    },
    changes: [...changes, `the ${state.size} stored rows start again at priority 1 under the new rule`],
  };
}
