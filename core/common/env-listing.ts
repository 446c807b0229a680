/** How an environment is listed to the user (`o2o datasets envs`, the app); built by core/envs/registry.ts. */

/** One environment as listed to the user: its id and shapes. */
export interface EnvListing {
  id: string;
  description: string;
  observationWidth: number;
  actionWidth: number;
  discrete: boolean;
  /** Goal-reaching task that reports success. */
  goal: boolean;
  /** False when the environment cannot run here (e.g. MuJoCo failed to load; see `unavailableReason`); absent means it can. */
  available?: boolean;
  unavailableReason?: string;
}
