// The responses the proxy writes itself (pure encoders): a rule's fixed answer,
// 400 for a request it refuses, 502 and 504 when the target fails. Each body
// is plain text a person can read in a browser or in curl's output, naming the
// target and the error; each carries `X-Wireplay-Proxy` so no one mistakes it
// for the target's answer.
import { STATUS_CODES } from 'node:http';
import type { HttpParseError } from '../http/parser-types.js';
import type { ProxyAnswer } from './types.js';
import type { LegFailure } from './upstream-leg.js';

export interface LocalResponse {
  status: number;
  bytes: Buffer;
  /** The connection ends after it. */
  close: boolean;
  /** The readable reason (the body without its trailing newline). */
  message: string;
}

export function localResponse(
  status: number,
  answer: ProxyAnswer,
  body: string,
  options: { close: boolean; contentType?: string; headRequest?: boolean },
): LocalResponse {
  const payload = Buffer.from(body, 'utf8');
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Status'}\r\n`;
  head += `Content-Type: ${options.contentType ?? 'text/plain; charset=utf-8'}\r\n`;
  head += `Content-Length: ${payload.length}\r\n`;
  head += `X-Wireplay-Proxy: ${answer}\r\n`;
  if (options.close) head += 'Connection: close\r\n';
  head += '\r\n';
  const headBytes = Buffer.from(head, 'latin1');
  return {
    status,
    bytes: options.headRequest ? headBytes : Buffer.concat([headBytes, payload]),
    close: options.close,
    message: body.replace(/\n$/, ''),
  };
}

export function malformedRequestResponse(err: HttpParseError, offset: number): LocalResponse {
  const body = `Wireplay proxy: the request is malformed and was not forwarded: ${err.message} (${err.code}, at byte ${offset} of the connection).\n` +
    'Start the proxy with "pass malformed bytes" (--pass-malformed) to forward such requests as they are.\n';
  return localResponse(err.status, 'malformed-request', body, { close: true });
}

export function unreachableResponse(origin: string, error: string, close: boolean, headRequest: boolean): LocalResponse {
  return localResponse(502, 'upstream-unreachable', `Wireplay proxy: cannot reach ${origin}: ${error}\n`, { close, headRequest });
}

export function upstreamErrorResponse(origin: string, error: string, headRequest: boolean): LocalResponse {
  return localResponse(502, 'upstream-error', `Wireplay proxy: ${origin} ${error}\n`, { close: true, headRequest });
}

export function invalidResponseResponse(origin: string, err: HttpParseError, headRequest: boolean): LocalResponse {
  return localResponse(
    502,
    'invalid-response',
    `Wireplay proxy: ${origin} sent a malformed response: ${err.message} (${err.code}, at byte ${err.offset} of its response stream)\n`,
    { close: true, headRequest },
  );
}

export function timeoutResponse(origin: string, timeoutMs: number, connected: boolean, headRequest: boolean): LocalResponse {
  const what = connected ? 'did not start answering' : 'did not accept the connection';
  return localResponse(504, 'upstream-timeout', `Wireplay proxy: ${origin} ${what} within ${timeoutMs} ms\n`, { close: true, headRequest });
}

/** The proxy's answer when the target failed before any of its response went out. */
export function failureResponse(failure: LegFailure, origin: string, timeoutMs: number, headRequest: boolean): { res: LocalResponse; answer: ProxyAnswer } {
  switch (failure.kind) {
    case 'connect':
      return { res: unreachableResponse(origin, failure.message, true, headRequest), answer: 'upstream-unreachable' };
    case 'timeout':
      return { res: timeoutResponse(origin, timeoutMs, failure.connected, headRequest), answer: 'upstream-timeout' };
    case 'closed':
      return { res: upstreamErrorResponse(origin, failure.message, headRequest), answer: 'upstream-error' };
    case 'invalid':
      return { res: invalidResponseResponse(origin, failure.error, headRequest), answer: 'invalid-response' };
  }
}
