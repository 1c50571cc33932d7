// Why a send failed, in plain words: a pure function from the error a send
// rejected with (a SendError, its Node cause: errno codes such as ECONNREFUSED,
// ENOTFOUND, the TLS library's certificate codes) and the target it was sent
// to, to a kind the UI can mark (refused, DNS, TLS, timeout, …), a one-line
// title that names the host and port ("Could not connect to 127.0.0.1:1:
// connection refused") and a sentence on what it usually means. The raw code
// stays available (`code`) for whoever wants it; nobody has to read
// "connect ECONNREFUSED 127.0.0.1:1" to learn what happened.

export type FailureKind =
  | 'refused'
  | 'dns'
  | 'tls'
  | 'timeout'
  | 'reset'
  | 'closed'
  | 'unreachable'
  | 'invalid-response'
  | 'invalid-request'
  | 'aborted'
  | 'other';

/** Where the send was going, and how far it got. */
export interface FailureTarget {
  host: string;
  port: number;
  tls?: boolean;
  /** The time limit in force, ms (named in a timeout's title). */
  timeoutMs?: number;
  /** 'response': the connection was open, the failure came while waiting for or reading the answer. Default 'connect'. */
  phase?: 'connect' | 'response';
}

export interface FailureDescription {
  kind: FailureKind;
  /** One line, for where the result would have been. */
  title: string;
  /** What it usually means or what to try. */
  detail: string;
  /** The most specific code seen (the Node/OpenSSL code when there is one, else the sender's). */
  code?: string;
}

interface CodedError {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  name?: unknown;
}

/** Every `code` on the error and its causes, outermost first, and the innermost message. */
function codesOf(err: unknown): { codes: string[]; message: string } {
  const codes: string[] = [];
  let message = typeof err === 'string' ? err : '';
  let e: unknown = err;
  for (let depth = 0; e && typeof e === 'object' && depth < 8; depth++) {
    const c = e as CodedError;
    if (typeof c.code === 'string') codes.push(c.code);
    if (typeof c.message === 'string' && c.message) message = c.message;
    if (c.name === 'AbortError') codes.push('ABORT_ERR');
    e = c.cause;
  }
  return { codes, message };
}

function where(t: FailureTarget): string {
  const host = t.host.includes(':') && !t.host.startsWith('[') ? `[${t.host}]` : t.host;
  return `${host}:${t.port}`;
}

const TLS_REASONS: Record<string, [string, string]> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: ['the server’s certificate is self-signed', 'No trusted authority vouches for it. Trust it explicitly, or use a certificate from a known authority.'],
  SELF_SIGNED_CERT_IN_CHAIN: ['the server’s certificate chain ends in a self-signed certificate', 'Its root authority is not one this machine trusts.'],
  CERT_HAS_EXPIRED: ['the server’s certificate has expired', 'Renew the certificate, or check the clock of this machine.'],
  CERT_NOT_YET_VALID: ['the server’s certificate is not valid yet', 'Check the clock of this machine.'],
  ERR_TLS_CERT_ALTNAME_INVALID: ['the server’s certificate is for another name', 'The host name in the URL is not among the names the certificate lists.'],
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: ['the server’s certificate could not be verified', 'Its issuer is unknown here, or the server does not send the intermediate certificates.'],
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: ['the issuer of the server’s certificate is not trusted here', 'Its authority is not among this machine’s trusted roots.'],
  UNABLE_TO_GET_ISSUER_CERT: ['the issuer of the server’s certificate could not be found', 'The server does not send its full certificate chain.'],
  CERT_REVOKED: ['the server’s certificate has been revoked', 'Its authority withdrew it.'],
  ERR_SSL_WRONG_VERSION_NUMBER: ['the server did not answer in TLS', 'It may be a plain HTTP server: try http:// instead of https://.'],
  ERR_SSL_PACKET_LENGTH_TOO_LONG: ['the server did not answer in TLS', 'It may be a plain HTTP server: try http:// instead of https://.'],
  ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: ['the server and this client share no TLS version', 'The server may only speak an old TLS version.'],
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: ['the server refused the handshake', 'The two sides share no cipher or protocol, or the server wants a client certificate.'],
};

const TLS_CODE = /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|ERR_OSSL_)/;

/** Describes a failed send to `target`; `err` is what the send rejected with. */
export function describeFailure(err: unknown, target: FailureTarget): FailureDescription {
  const { codes, message } = codesOf(err);
  const at = where(target);
  const has = (...names: string[]) => codes.find((c) => names.includes(c));
  const inner = codes.length ? codes[codes.length - 1] : undefined;
  const limit = target.timeoutMs ? ` within ${target.timeoutMs} ms` : '';
  const make = (kind: FailureKind, title: string, detail: string, code = inner): FailureDescription => ({ kind, title, detail, ...(code ? { code } : {}) });

  if (has('ABORTED', 'ABORT_ERR')) return make('aborted', 'Cancelled.', 'The send was stopped before it finished.');
  // The request-spec's own codes: nothing was sent, the request cannot be built as written.
  if (has('INVALID_URL', 'UNSUPPORTED_SCHEME', 'INVALID_METHOD', 'INVALID_HEADER', 'BODY_FILE')) {
    return make('invalid-request', `Not sent: ${message || 'the request cannot be built as written'}`, 'Nothing went on the wire. Correct the request and send it again.');
  }
  const tlsCode = codes.find((c) => TLS_CODE.test(c));
  if (tlsCode || has('TLS_FAILED')) {
    const reason = tlsCode ? TLS_REASONS[tlsCode] : undefined;
    if (reason) return make('tls', `TLS handshake with ${at} failed: ${reason[0]}`, reason[1], tlsCode);
    return make('tls', `TLS handshake with ${at} failed${message ? `: ${message.replace(/^.*?: /, '')}` : ''}`, 'The secure connection could not be set up, so no request was sent.', tlsCode ?? inner);
  }
  const dns = has('ENOTFOUND', 'EAI_NONAME', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'DNS_FAILED');
  if (dns) {
    if (codes.includes('EAI_AGAIN')) {
      return make('dns', `Could not look up ${target.host}: the name server did not answer`, 'A temporary DNS failure: check the network, then try again.', 'EAI_AGAIN');
    }
    return make('dns', `Could not find the host ${target.host}: no such name (DNS lookup failed)`, 'The name does not resolve to an address. Check its spelling, or use an IP address.', codes.find((c) => c.startsWith('E')) ?? dns);
  }
  if (has('ECONNREFUSED', 'CONNECTION_REFUSED')) {
    return make('refused', `Could not connect to ${at}: connection refused`, 'Nothing is listening on that port (or a firewall refused the connection).', 'ECONNREFUSED');
  }
  if (has('EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL')) {
    const code = has('EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL')!;
    const why = code === 'ENETUNREACH' ? 'the network is unreachable' : code === 'EHOSTUNREACH' ? 'no route to the host' : 'the address is not available here';
    return make('unreachable', `Could not connect to ${at}: ${why}`, 'This machine has no way to reach that address.', code);
  }
  if (has('TIMEOUT', 'ETIMEDOUT', 'ESOCKETTIMEDOUT')) {
    if (target.phase === 'response') return make('timeout', `No response from ${at}${limit}: timed out`, 'The connection was open and the request sent, but no complete response came in time.');
    return make('timeout', `Could not connect to ${at}${limit}: timed out`, 'The host did not accept the connection in time: it may be down, or a firewall drops the packets.');
  }
  if (has('ECONNRESET', 'EPIPE', 'CONNECTION_RESET')) {
    return make('reset', `The connection to ${at} was reset`, target.phase === 'response' ? 'The server dropped the connection (TCP reset) before a complete response.' : 'The host reset the connection while it was being set up.');
  }
  if (has('CONNECTION_CLOSED')) return make('closed', `${at} closed the connection before a complete response`, 'The server hung up early: it may have crashed, or it does not speak HTTP on that port.');
  if (has('INVALID_RESPONSE', 'HPE_INVALID', 'HANDSHAKE_FAILED')) {
    return make('invalid-response', `The answer from ${at} is not valid HTTP${message ? `: ${message.replace(/^.*?: /, '')}` : ''}`, 'The Bytes view shows what arrived.');
  }
  return make('other', `Could not send to ${at}${message ? `: ${message}` : ''}`, 'See the Bytes view for what went out before it stopped.');
}
