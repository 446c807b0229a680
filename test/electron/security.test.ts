import { describe, expect, it } from 'vitest';
import { isAllowedExternalUrl, isAppUrl, isTrustedSender } from '../../electron/security.js';

describe('desktop security rules', () => {
  it('recognises only the app scheme and host as the app', () => {
    expect(isAppUrl('o2o://app/index.html')).toBe(true);
    expect(isAppUrl('o2o://app/assets/x.js?y=1#z')).toBe(true);
    expect(isAppUrl('o2o://application/index.html')).toBe(false);
    expect(isAppUrl('https://app/index.html')).toBe(false);
    expect(isAppUrl('file:///index.html')).toBe(false);
    expect(isAppUrl('')).toBe(false);
  });

  it('opens only https links to allow-listed hosts', () => {
    expect(isAllowedExternalUrl('https://arxiv.org/abs/2407.03995')).toBe(true);
    expect(isAllowedExternalUrl('https://github.com/some/repo')).toBe(true);
    expect(isAllowedExternalUrl('http://arxiv.org/abs/2407.03995')).toBe(false);
    expect(isAllowedExternalUrl('https://arxiv.org.evil.example/')).toBe(false);
    expect(isAllowedExternalUrl('https://evil.example/?https://arxiv.org')).toBe(false);
    expect(isAllowedExternalUrl('https://user:pw@github.com/')).toBe(false);
    expect(isAllowedExternalUrl('https://github.com:8443/')).toBe(false);
    expect(isAllowedExternalUrl('file:///etc/passwd')).toBe(false);
    expect(isAllowedExternalUrl('javascript:alert(1)')).toBe(false);
  });

  it('trusts only the top-level frame of an app page', () => {
    expect(isTrustedSender({ url: 'o2o://app/index.html', parent: null })).toBe(true);
    expect(isTrustedSender({ url: 'o2o://app/index.html', parent: { url: 'o2o://app/' } })).toBe(false);
    expect(isTrustedSender({ url: 'https://example.com', parent: null })).toBe(false);
    expect(isTrustedSender(null)).toBe(false);
    expect(isTrustedSender(undefined)).toBe(false);
  });
});
