// Authorization shorthands of `.http` files. `Basic user pass` and
// `Basic user:pass` are sent base64-encoded (REST Client, httpYac, JetBrains);
// `Digest user pass` is sent without credentials first and answered once the
// server's 401 challenge is in (RFC 7616, MD5 and MD5-sess, qop=auth), as
// REST Client and httpYac do. Both exchanges are real and both are shown.
import { createHash, randomUUID } from 'node:crypto';

export type AuthorizationShorthand =
  | { kind: 'basic'; value: string }
  | { kind: 'digest'; user: string; password: string }
  | { kind: 'none' }
  | { kind: 'ambiguous'; message: string };

/** Reads an Authorization value; `none` when it is to be sent as written. */
export function readAuthorization(value: string): AuthorizationShorthand {
  const m = /^\s*(basic|digest)\s+(.*?)\s*$/i.exec(value);
  if (!m) return { kind: 'none' };
  const scheme = m[1].toLowerCase();
  const rest = m[2];
  let user: string;
  let password: string;
  const space = /^(\S+)\s+(\S.*)$/.exec(rest);
  if (space && rest.includes(':')) {
    return { kind: 'ambiguous', message: `"${m[1]} ${rest}" holds both a space and a colon: REST Client splits user and password at the space, httpYac at the colon; write one of "${m[1]} USER PASSWORD" or "${m[1]} USER:PASSWORD"` };
  }
  if (space) {
    [user, password] = [space[1], space[2]];
  } else if (rest.includes(':')) {
    if (rest.indexOf(':') !== rest.lastIndexOf(':')) {
      return { kind: 'ambiguous', message: `"${m[1]} ${rest}" holds more than one colon: REST Client splits user and password at the first, httpYac at the last; write "${m[1]} USER PASSWORD" with a space instead` };
    }
    [user, password] = [rest.slice(0, rest.indexOf(':')), rest.slice(rest.indexOf(':') + 1)];
  } else {
    return { kind: 'none' }; // already encoded (Basic dXNlcjpwYXNz) or a digest response written out
  }
  if (scheme === 'basic') return { kind: 'basic', value: `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}` };
  return { kind: 'digest', user, password };
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

/** The parameters of a `WWW-Authenticate: Digest …` challenge; undefined when it is not one. */
export function parseDigestChallenge(header: string): Record<string, string> | undefined {
  if (!/^\s*digest\s/i.test(header)) return undefined;
  const out: Record<string, string> = {};
  for (const m of header.matchAll(/([a-z0-9_-]+)=(?:"([^"]*)"|([^\s,]+))/gi)) out[m[1].toLowerCase()] = m[2] ?? m[3];
  return out;
}

/**
 * The Authorization value answering a digest challenge, in REST Client's
 * layout: username, realm, nonce, uri, qop, response, nc, cnonce, algorithm,
 * opaque (each only when set; qop, nc and algorithm unquoted).
 */
export function digestAuthorization(
  challenge: Record<string, string>,
  request: { method: string; uri: string; user: string; password: string },
  cnonce: string = randomUUID().replace(/-/g, ''),
): string {
  const qop = /(^|,)\s*auth\s*($|,)/.test(challenge.qop ?? '') ? 'auth' : '';
  const nc = qop ? '00000001' : '';
  const nonceC = qop ? cnonce : '';
  let ha1 = md5(`${request.user}:${challenge.realm ?? ''}:${request.password}`);
  if ((challenge.algorithm ?? '').toLowerCase() === 'md5-sess') ha1 = md5(`${ha1}:${challenge.nonce ?? ''}:${nonceC}`);
  const ha2 = md5(`${request.method}:${request.uri}`);
  const response = qop ? md5(`${ha1}:${challenge.nonce ?? ''}:${nc}:${nonceC}:${qop}:${ha2}`) : md5(`${ha1}:${challenge.nonce ?? ''}:${ha2}`);
  const values: [string, string, boolean][] = [
    ['username', request.user, true],
    ['realm', challenge.realm ?? '', true],
    ['nonce', challenge.nonce ?? '', true],
    ['uri', request.uri, true],
    ['qop', qop, false],
    ['response', response, true],
    ['nc', nc, false],
    ['cnonce', nonceC, true],
    ['algorithm', challenge.algorithm ?? '', false],
    ['opaque', challenge.opaque ?? '', true],
  ];
  return `Digest ${values.filter(([, v]) => v !== '').map(([k, v, quoted]) => (quoted ? `${k}="${v}"` : `${k}=${v}`)).join(', ')}`;
}
