/** UI state shared between views: the open view, the dataset in focus, the engine's info. */
import type { CommandResults } from '../../../core/common/protocol.js';

export type View = 'datasets' | 'new-run' | 'live' | 'runs' | 'export';

export const VIEWS: { id: View; label: string; key: string }[] = [
  { id: 'datasets', label: 'Datasets', key: '1' },
  { id: 'new-run', label: 'New run', key: '2' },
  { id: 'live', label: 'Live run', key: '3' },
  { id: 'runs', label: 'Runs', key: '4' },
  { id: 'export', label: 'Export', key: '5' },
];

const VIEW_KEY = 'o2o.view';

function storedView(): View {
  try {
    const view = sessionStorage.getItem(VIEW_KEY);
    return VIEWS.some((entry) => entry.id === view) ? (view as View) : 'datasets';
  } catch {
    return 'datasets';
  }
}

class AppState {
  /** The open view; kept in the tab's session storage so a reload returns to it. */
  view = $state<View>(storedView());
  /** Path of the dataset last opened in the datasets view (what the datasets view shows). */
  datasetPath = $state<string | null>(null);
  datasetEnvId = $state<string | null>(null);
  /**
   * A dataset the user asked to start a run with ("New run with this dataset"): the new-run form
   * applies it once, to the config in the form, and clears it. Merely opening a dataset never
   * changes a preset.
   */
  pendingDataset = $state.raw<{ path: string; envId: string | null } | null>(null);
  info = $state.raw<CommandResults['app.info'] | null>(null);

  navigate(view: View): void {
    this.view = view;
    try {
      sessionStorage.setItem(VIEW_KEY, view);
    } catch {
      // storage unavailable: the view is simply not remembered
    }
  }
}

export const app = new AppState();
