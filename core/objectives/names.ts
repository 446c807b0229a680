/** Registry names of the offline objectives (core/objectives/index.ts). */
export const OFFLINE_OBJECTIVE_NAMES = ['xql', 'iql', 'cql', 'sac'] as const;
export type OfflineObjectiveName = (typeof OFFLINE_OBJECTIVE_NAMES)[number];
