// require-keepalive: a TCP connection that can go idle must have TCP keepalive turned on.
import type { Rule } from './rule.js';

const ROLE_WORD: Record<string, string> = {
  client: 'client socket',
  accepted: 'accepted connection',
  server: 'server',
  unknown: 'socket',
};

export const requireKeepalive: Rule = {
  id: 'require-keepalive',
  meta: {
    description: 'Require TCP keepalive on every TCP connection that is not loopback-only',
    severity: 'error',
    fixable: true,
    langs: ['c', 'ts'],
  },
  check(site, opts) {
    if (site.keepalive !== 'none' || site.loopback) return undefined;
    if (site.role !== 'client' && site.role !== 'accepted' && site.role !== 'unknown' && site.role !== 'server') return undefined;
    if (site.flags?.['keepAliveOptionIgnored']) return undefined; // tls-keepalive-ignored reports it
    if (site.tcp === 'no') return undefined;
    if (site.tcp === 'unknown' && !opts.includeUnknown) return undefined;
    const what = ROLE_WORD[site.role] ?? 'socket';
    const named = site.name ? ` '${site.name}'` : '';
    const maybe = site.tcp === 'unknown' ? ' (may be TCP)' : '';
    let missing: string;
    if (site.lang === 'c') {
      missing = site.flags?.['keepaliveDisabled']
        ? 'SO_KEEPALIVE is explicitly set to 0'
        : site.role === 'accepted'
          ? 'no SO_KEEPALIVE on it, and none on its listener'
          : 'no SO_KEEPALIVE on it, its aliases, the helpers it is passed to, or its callers';
    } else {
      missing =
        site.role === 'server'
          ? 'no keepAlive option and no setKeepAlive() on its connections'
          : 'no keepAlive option and no setKeepAlive(true) on it or in the helpers it is passed to';
    }
    return {
      message: `TCP ${what}${named}${maybe} from ${site.api}() has no keepalive: ${missing}; a silently dead peer or a NAT timeout will hang it`,
      ...(site.tcp === 'unknown' ? { severity: 'warning' as const } : {}),
    };
  },
};
