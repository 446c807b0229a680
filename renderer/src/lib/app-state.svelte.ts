/** UI state shared between views: the open view, the dataset in focus, the engine's info. */
import type { CommandResults } from '../../../core/server/protocol.js';

export type View = 'datasets' | 'new-run' | 'live' | 'runs' | 'export';

export const VIEWS: { id: View; label: string; key: string }[] = [
  { id: 'datasets', label: 'Datasets', key: '1' },
  { id: 'new-run', label: 'New run', key: '2' },
  { id: 'live', label: 'Live run', key: '3' },
  { id: 'runs', label: 'Runs', key: '4' },
  { id: 'export', label: 'Export', key: '5' },
];

class AppState {
  view = $state<View>('datasets');
  /** Path of the dataset last opened in the datasets view (prefills the new-run form). */
  datasetPath = $state<string | null>(null);
  datasetEnvId = $state<string | null>(null);
  info = $state.raw<CommandResults['app.info'] | null>(null);

  navigate(view: View): void {
    this.view = view;
  }
}

export const app = new AppState();
