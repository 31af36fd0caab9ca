// From services/api/README.md "The web explorer": which files are immutable, which are revalidated,
// which carry the policy, and where a missing file is a 404 instead of index.html.
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, fileHeaders, isAssetPath } from './explorer.ts';

describe('explorer files', () => {
  it('assets are immutable, everything else revalidated; HTML carries the policy; all nosniff', () => {
    expect(fileHeaders('assets/index-3f2a9c.js')).toEqual({
      'cache-control': 'public, max-age=31536000, immutable',
      'x-content-type-options': 'nosniff',
    });
    expect(fileHeaders('index.html')).toEqual({
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      'content-security-policy': CONTENT_SECURITY_POLICY,
    });
    expect(fileHeaders('/favicon.svg')['cache-control']).toBe('no-cache');
    expect(fileHeaders('favicon.svg')['content-security-policy']).toBeUndefined();
    // Only the build's top-level assets/ directory holds hashed names.
    expect(fileHeaders('img/assets/logo.png')['cache-control']).toBe('no-cache');
  });

  it('the policy: scripts and requests from this origin only, inline styles allowed, no framing', () => {
    const directives = new Map(
      CONTENT_SECURITY_POLICY.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]),
    );
    expect(directives.get('script-src')).toBe("'self'");
    expect(directives.get('connect-src')).toBe("'self'");
    expect(directives.get('style-src')).toBe("'self' 'unsafe-inline'");
    expect(directives.get('object-src')).toBe("'none'");
    expect(directives.get('frame-ancestors')).toBe("'none'");
  });

  it('a missing file is a 404 under /explorer/assets/ only', () => {
    expect(isAssetPath('/explorer/assets/gone.js')).toBe(true);
    expect(isAssetPath('/explorer/assets/gone.js?v=1')).toBe(true);
    expect(isAssetPath('/explorer/models/assets/x')).toBe(false);
    expect(isAssetPath('/explorer/assetsx')).toBe(false);
    expect(isAssetPath('/explorer/')).toBe(false);
  });
});
