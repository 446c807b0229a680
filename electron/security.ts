/**
 * Security rules of the desktop shell, as pure functions so they are tested without Electron.
 * The app's pages come from the privileged `o2o://app/` scheme; nothing else may send commands,
 * navigate the window or open windows, and links leave the app only for an allow-list of sites.
 */

/** Scheme and origin of the app's own pages. */
export const APP_SCHEME = 'o2o';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** CSP of every app page (no WebSocket: the desktop app talks through the preload bridge). */
export const DESKTOP_CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/** Sites a link in the app may open in the system browser (https only, exact host match). */
export const EXTERNAL_HOST_ALLOW_LIST: readonly string[] = Object.freeze([
  'arxiv.org',
  'github.com',
  'www.electronjs.org',
  'minari.farama.org',
  'gymnasium.farama.org',
  'onnx.ai',
  'www.tensorflow.org',
]);

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** True for a page of the app itself (`o2o://app/...`). */
export function isAppUrl(url: string): boolean {
  const parsed = parse(url);
  return parsed !== undefined && parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
}

/** True when a link may be opened in the system browser: https, no credentials, an allow-listed host. */
export function isAllowedExternalUrl(url: string): boolean {
  const parsed = parse(url);
  if (!parsed || parsed.protocol !== 'https:') return false;
  if (parsed.username !== '' || parsed.password !== '' || parsed.port !== '') return false;
  return EXTERNAL_HOST_ALLOW_LIST.includes(parsed.hostname);
}

/** The minimal view of an IPC sender frame the checks need (Electron's WebFrameMain has more). */
export interface SenderFrameLike {
  url: string;
  /** The parent frame, null for a top-level frame. */
  parent: unknown;
}

/** Commands are accepted only from the top-level frame of an app page. */
export function isTrustedSender(frame: SenderFrameLike | null | undefined): boolean {
  if (!frame) return false;
  return frame.parent === null && isAppUrl(frame.url);
}
