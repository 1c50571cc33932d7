// The proxy's target: an http:// or https:// origin, checked once, with what the
// upstream connector needs (host, port, TLS server name) and what a Host
// rewrite puts in the field. A target with a path is refused rather than half
// honoured: the proxy never rewrites the request target, so a path prefix could
// not be applied without changing bytes the user did not ask to change.
import { isIP } from 'node:net';

export interface ProxyTarget {
  /** The origin as given, normalised: `http://host:port` without a trailing slash. */
  origin: string;
  tls: boolean;
  /** Host name or IP literal to connect to (IPv6 without brackets). */
  host: string;
  port: number;
  /** TLS server name (SNI and certificate check): the host name; undefined for an IP literal. */
  servername: string | undefined;
  /** What a Host rewrite writes: host[:port], the port omitted when it is the scheme's default. */
  hostHeader: string;
}

export class ProxyTargetError extends Error {
  override readonly name = 'ProxyTargetError';
}

export function parseProxyTarget(text: string): ProxyTarget {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new ProxyTargetError(`the target must be a URL such as http://127.0.0.1:3000, got ${JSON.stringify(text)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ProxyTargetError(`the target must be http:// or https://, not ${url.protocol.slice(0, -1)}:// (a WebSocket server is reached through its http:// URL)`);
  }
  if (url.username || url.password) throw new ProxyTargetError('the target must not carry credentials');
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw new ProxyTargetError(`the target must be an origin (scheme://host:port): the proxy forwards each request target unchanged, so ${url.pathname}${url.search} could not be applied`);
  }
  const tls = url.protocol === 'https:';
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port ? Number(url.port) : tls ? 443 : 80;
  return {
    origin: `${url.protocol}//${url.host}`,
    tls,
    host,
    port,
    servername: isIP(host) === 0 ? host : undefined,
    hostHeader: url.host,
  };
}
