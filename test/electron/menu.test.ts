import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { menuTemplate, ROER_PAPER_URL, type MenuActions } from '../../electron/menu.js';
import { isAllowedExternalUrl } from '../../electron/security.js';

function recorder() {
  const calls: string[] = [];
  const actions: MenuActions = {
    openDataset: () => calls.push('open'),
    navigate: (view) => calls.push(`navigate:${view}`),
    openExternal: (url) => calls.push(`external:${url}`),
    about: () => calls.push('about'),
  };
  return { calls, actions };
}

function find(items: MenuItemConstructorOptions[], label: string): MenuItemConstructorOptions {
  for (const item of items) {
    if (item.label === label) return item;
    if (Array.isArray(item.submenu)) {
      const found = (() => {
        try {
          return find(item.submenu as MenuItemConstructorOptions[], label);
        } catch {
          return undefined;
        }
      })();
      if (found) return found;
    }
  }
  throw new Error(`no menu item "${label}"`);
}

const click = (item: MenuItemConstructorOptions): void => (item.click as unknown as () => void)();

describe('app menu', () => {
  it('wires File and View items to the actions', () => {
    const { calls, actions } = recorder();
    const template = menuTemplate(actions, { platform: 'linux', developer: false });
    click(find(template, 'Open Dataset…'));
    click(find(template, 'New Run'));
    click(find(template, 'Live'));
    click(find(template, 'ROER paper (arXiv 2407.03995)'));
    expect(calls).toEqual(['open', 'navigate:new-run', 'navigate:live', `external:${ROER_PAPER_URL}`]);
    expect(find(template, 'Open Dataset…').accelerator).toBe('CmdOrCtrl+O');
    expect(isAllowedExternalUrl(ROER_PAPER_URL)).toBe(true);
  });

  it('offers developer tools only in development, and the app menu only on macOS', () => {
    const { actions } = recorder();
    const roles = (template: MenuItemConstructorOptions[]): string[] =>
      JSON.stringify(template).match(/"role":"(\w+)"/g) ?? [];
    const packaged = menuTemplate(actions, { platform: 'linux', developer: false });
    const developer = menuTemplate(actions, { platform: 'linux', developer: true });
    expect(roles(packaged).join()).not.toContain('toggleDevTools');
    expect(roles(developer).join()).toContain('toggleDevTools');
    expect(menuTemplate(actions, { platform: 'darwin', developer: false })[0]).toEqual({ role: 'appMenu' });
    expect(packaged[0]?.label).toBe('File');
  });
});
