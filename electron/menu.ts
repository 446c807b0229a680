/**
 * The application menu as a template (plain data plus callbacks), so its structure is tested
 * without Electron. main.ts turns it into a native menu with `Menu.buildFromTemplate`.
 */
import type { MenuItemConstructorOptions } from 'electron';

export type AppView = 'datasets' | 'new-run' | 'runs' | 'live' | 'export';

export interface MenuActions {
  openDataset(): void;
  navigate(view: AppView): void;
  openExternal(url: string): void;
  about(): void;
}

export const ROER_PAPER_URL = 'https://arxiv.org/abs/2407.03995';

export function menuTemplate(
  actions: MenuActions,
  options: { platform: NodeJS.Platform; developer: boolean },
): MenuItemConstructorOptions[] {
  const mac = options.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [];
  if (mac) template.push({ role: 'appMenu' });
  template.push({
    label: 'File',
    submenu: [
      { label: 'Open Dataset…', accelerator: 'CmdOrCtrl+O', click: () => actions.openDataset() },
      { label: 'New Run', accelerator: 'CmdOrCtrl+N', click: () => actions.navigate('new-run') },
      { type: 'separator' },
      mac ? { role: 'close' } : { role: 'quit' },
    ],
  });
  template.push({ role: 'editMenu' });
  const view: MenuItemConstructorOptions[] = [
    { label: 'Datasets', accelerator: 'CmdOrCtrl+1', click: () => actions.navigate('datasets') },
    { label: 'Runs', accelerator: 'CmdOrCtrl+2', click: () => actions.navigate('runs') },
    { label: 'Live', accelerator: 'CmdOrCtrl+3', click: () => actions.navigate('live') },
    { label: 'Export', accelerator: 'CmdOrCtrl+4', click: () => actions.navigate('export') },
    { type: 'separator' },
    { role: 'resetZoom' },
    { role: 'zoomIn' },
    { role: 'zoomOut' },
    { type: 'separator' },
    { role: 'togglefullscreen' },
  ];
  if (options.developer) view.push({ type: 'separator' }, { role: 'reload' }, { role: 'toggleDevTools' });
  template.push({ label: 'View', submenu: view });
  template.push({ role: 'windowMenu' });
  template.push({
    role: 'help',
    submenu: [
      { label: 'ROER paper (arXiv 2407.03995)', click: () => actions.openExternal(ROER_PAPER_URL) },
      { label: 'About O2O Studio', click: () => actions.about() },
    ],
  });
  return template;
}
