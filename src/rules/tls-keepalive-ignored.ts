// tls-keepalive-ignored: tls.connect() ignores the keepAlive option before Node 24.15
// (nodejs/node#62003), so `tls.connect({ keepAlive: true })` alone leaves the socket without it.
import type { Rule } from './rule.js';

export const tlsKeepaliveIgnored: Rule = {
  id: 'tls-keepalive-ignored',
  meta: {
    description: 'Disallow relying on the keepAlive option of tls.connect(), which Node ignores before v24.15',
    severity: 'error',
    fixable: true,
    langs: ['ts'],
  },
  check(site) {
    if (!site.flags?.['keepAliveOptionIgnored'] || site.loopback || site.tcp === 'no') return undefined;
    const named = site.name ? ` '${site.name}'` : '';
    return {
      message: `tls.connect()${named} passes keepAlive: true, but Node before v24.15 ignores that option for TLS sockets (nodejs/node#62003), so the connection has no keepalive; call socket.setKeepAlive(true, ms) instead`,
    };
  },
};
