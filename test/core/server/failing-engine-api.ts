/** An engine API module whose start-up fails, for the host's start-up error path. */
export async function createEngineApi(): Promise<never> {
  throw new Error('no tensor backend could be loaded');
}
