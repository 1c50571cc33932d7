// A minimal reader for one request written as text, the way a `.http` file
// holds it: a request line, header lines, a blank line, the body. `wireplay
// send FILE` reads files through parseRequestText only, so the full `.http`
// parser (variables, several requests, scripts) can take its place in one spot.
//
//   # comments before the request line (# or //)
//   POST https://example.test/items HTTP/1.1      method optional (GET), version optional
//   Content-Type: application/json
//
//   {"a": 1}
//
// An origin-form target (`GET /path`) takes its host from a Host header.
// A body that is the single line `< path` is streamed from that file
// (relative to baseDir). A line starting with ### ends the request.
import { isAbsolute, join } from 'node:path';
import { createRequestSpec, type RequestSpec, type SpecBody, type SpecHeader } from './request-spec.js';

export class RequestTextError extends Error {
  override readonly name = 'RequestTextError';
  constructor(
    readonly code: 'NO_REQUEST' | 'BAD_REQUEST_LINE' | 'BAD_HEADER' | 'NO_HOST',
    message: string,
    /** 1-based line. */
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
  }
}

const METHOD = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function parseRequestText(text: string, options: { baseDir?: string } = {}): RequestSpec {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let i = 0;
  while (i < lines.length && (lines[i].trim() === '' || /^\s*(#|\/\/)/.test(lines[i]))) i++;
  if (i >= lines.length) throw new RequestTextError('NO_REQUEST', 'no request line', lines.length);
  const requestLineNo = i + 1;
  const parts = lines[i].trim().split(/\s+/);
  let method = 'GET';
  let target: string;
  if (parts.length >= 2 && METHOD.test(parts[0]) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(parts[0])) {
    method = parts[0];
    target = parts[1];
    if (parts.length > 3 || (parts.length === 3 && !/^HTTP\/\d(\.\d)?$/.test(parts[2]))) {
      throw new RequestTextError('BAD_REQUEST_LINE', `expected METHOD URL [HTTP/1.1], got ${JSON.stringify(lines[i].trim())}`, requestLineNo);
    }
  } else if (parts.length === 1) {
    target = parts[0];
  } else {
    throw new RequestTextError('BAD_REQUEST_LINE', `expected METHOD URL [HTTP/1.1], got ${JSON.stringify(lines[i].trim())}`, requestLineNo);
  }
  i++;
  const headers: SpecHeader[] = [];
  for (; i < lines.length && lines[i].trim() !== '' && !lines[i].startsWith('###'); i++) {
    if (/^\s*(#|\/\/)/.test(lines[i])) continue;
    const colon = lines[i].indexOf(':');
    if (colon <= 0) throw new RequestTextError('BAD_HEADER', `expected Name: value, got ${JSON.stringify(lines[i])}`, i + 1);
    headers.push({ name: lines[i].slice(0, colon).trim(), value: lines[i].slice(colon + 1).trim(), enabled: true });
  }
  const bodyLines: string[] = [];
  if (i < lines.length && lines[i].trim() === '') {
    for (i++; i < lines.length && !lines[i].startsWith('###'); i++) bodyLines.push(lines[i]);
  }
  while (bodyLines.length && bodyLines[bodyLines.length - 1].trim() === '') bodyLines.pop();
  let body: SpecBody = { kind: 'none' };
  if (bodyLines.length === 1 && /^<\s+\S/.test(bodyLines[0])) {
    const path = bodyLines[0].replace(/^<\s+/, '').trim();
    body = { kind: 'file', path: isAbsolute(path) || !options.baseDir ? path : join(options.baseDir, path) };
  } else if (bodyLines.length) {
    body = { kind: 'text', text: bodyLines.join('\n') };
  }
  let url = target;
  if (target.startsWith('/') || target === '*') {
    const host = headers.find((h) => h.name.toLowerCase() === 'host')?.value;
    if (!host) throw new RequestTextError('NO_HOST', `${target} has no host: write a full URL or add a Host header`, requestLineNo);
    url = `http://${host}${target}`;
  }
  return createRequestSpec({ method, url, headers, body });
}
