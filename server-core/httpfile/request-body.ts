// The bytes of a request body from its parts, as the originating tool builds
// them: text lines joined with LF (CRLF for multipart/form-data), `< file`
// inserted as bytes, `<@ file` as text with variables (decoded with its
// encoding, sent as UTF-8), form bodies with `&` continuation lines joined and
// percent-encoded, GraphQL operations as JSON. Where the tools build different
// bytes from the same text, the dialect decides and `auto` warns.
import { stat } from 'node:fs/promises';
import type { SpecBody } from '../client/request-spec.js';
import { encodeFormBody } from './form-encoding.js';
import type { Resolver } from './resolver.js';
import type { BodyPart, Dialect, GraphqlBody, HttpFile, HttpRequestBlock } from './types.js';

const ENCODINGS: Record<string, BufferEncoding> = {
  utf8: 'utf8', 'utf-8': 'utf8', latin1: 'latin1', 'iso-8859-1': 'latin1', binary: 'latin1', ascii: 'ascii',
  utf16le: 'utf16le', 'utf-16le': 'utf16le', ucs2: 'utf16le', base64: 'base64', hex: 'hex',
};

export interface BodyContext {
  r: Resolver;
  block: HttpRequestBlock;
  dialect: Dialect;
  contentType: string;
  fragments: HttpFile['graphqlFragments'];
}

function isMime(contentType: string, mime: string): boolean {
  return contentType.split(';')[0].trim().toLowerCase() === mime;
}

/** One part as text (`<@ file` decoded, variables substituted) or bytes (`< file`). */
async function partValue(part: BodyPart, c: BodyContext): Promise<string | Buffer | undefined> {
  if (part.kind === 'text') return c.r.text(part.text, part.line);
  const path = c.r.text(part.path, part.line);
  const data = await c.r.readFile(path, part.line);
  if (!data) return undefined;
  const inject = part.processVariables || Object.prototype.hasOwnProperty.call(c.block.metadata, 'injectVariables');
  if (!inject) return data;
  const encoding = ENCODINGS[(part.encoding ?? 'utf8').toLowerCase()];
  if (!encoding) {
    c.r.error(part.line, `unknown encoding "${part.encoding}" in <@${part.encoding}: use utf8, latin1, ascii, utf16le, base64 or hex`, 'syntax');
    return undefined;
  }
  // REST Client and httpYac decode the file with the encoding, substitute, and send the text as UTF-8.
  return c.r.text(data.toString(encoding), part.line);
}

export async function buildBody(c: BodyContext): Promise<SpecBody> {
  const { block } = c;
  if (block.graphql) return graphqlBody(block.graphql, c);
  const parts = block.body;
  if (parts.length === 0) return { kind: 'none' };
  // A body that is one plain file is streamed at send time, never read whole.
  const inject = Object.prototype.hasOwnProperty.call(block.metadata, 'injectVariables');
  if (parts.length === 1 && parts[0].kind === 'file' && !parts[0].processVariables && !inject) {
    const path = c.r.absolute(c.r.text(parts[0].path, parts[0].line));
    try {
      if (!(await stat(path)).isFile()) throw Object.assign(new Error('not a file'), { code: 'not a file' });
    } catch (err) {
      c.r.error(parts[0].line, `cannot read ${parts[0].path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'file');
    }
    return { kind: 'file', path };
  }
  if (isMime(c.contentType, 'application/x-www-form-urlencoded') && parts.every((p) => p.kind === 'text')) {
    const text = parts.map((p) => c.r.text((p as { text: string }).text, p.line)).join('\n');
    return { kind: 'text', text: encodeFormBody(text, c.dialect, (message) => c.r.warn(parts[0].line, message)) };
  }
  const multipart = isMime(c.contentType, 'multipart/form-data');
  const lineBreak = multipart ? '\r\n' : '\n';
  const chunks: Buffer[] = [];
  for (const [i, part] of parts.entries()) {
    if (i > 0) chunks.push(Buffer.from(lineBreak));
    const value = await partValue(part, c);
    if (value === undefined) continue;
    chunks.push(typeof value === 'string' ? Buffer.from(value.replace(/\n/g, lineBreak), 'utf8') : value);
  }
  const hasFile = parts.some((p) => p.kind === 'file');
  if (multipart && hasFile) {
    // REST Client ends a multipart body that holds a `< file` line with one more CRLF; httpYac (and, by its spec, JetBrains) does not.
    if (c.dialect === 'rest-client') chunks.push(Buffer.from('\r\n'));
    if (c.dialect === 'auto') c.r.warn(parts[parts.length - 1].line, 'A multipart body with a "< file" line: REST Client ends it with one more CRLF after the last line, httpYac and JetBrains (and Wireplay) do not');
  }
  if (isMime(c.contentType, 'application/x-ndjson') && !hasFile) chunks.push(Buffer.from(lineBreak)); // REST Client and httpYac end NDJSON with a line break
  const bytes = Buffer.concat(chunks);
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? { kind: 'text', text } : { kind: 'base64', data: bytes.toString('base64') };
}

async function joinText(parts: BodyPart[], c: BodyContext): Promise<string | undefined> {
  const out: string[] = [];
  for (const p of parts) {
    const v = await partValue(p.kind === 'file' ? { ...p, processVariables: true } : p, c);
    if (v === undefined) return undefined;
    out.push(typeof v === 'string' ? v : v.toString('utf8'));
  }
  return out.join('\n');
}

/**
 * GraphQL as JSON. REST Client: {"query","operationName","variables"} with
 * variables {} when there are none and operationName only for a named `query`.
 * httpYac: {"query","operationName","variables"}, each only when present,
 * fragments named in the query appended. JetBrains (GRAPHQL): {"query","variables","operationName"}.
 */
async function graphqlBody(g: GraphqlBody, c: BodyContext): Promise<SpecBody> {
  let query = await joinText(g.query, c);
  const variablesText = g.variables.length ? await joinText(g.variables, c) : undefined;
  if (query === undefined || (g.variables.length && variablesText === undefined)) return { kind: 'none' };
  let variables: unknown;
  if (variablesText !== undefined && variablesText.trim() !== '') {
    try {
      variables = JSON.parse(variablesText);
    } catch (err) {
      c.r.error(g.variables[0].line, `the GraphQL variables are not JSON: ${(err as Error).message}`, 'syntax');
      return { kind: 'none' };
    }
  }
  const form = g.form === 'method' && c.dialect === 'httpyac' ? 'keyword' : g.form;
  if (form === 'keyword') {
    for (const [name, fragment] of Object.entries(c.fragments)) {
      if (query.includes(`...${name}`)) query = `${query}\n${c.r.text(fragment.text, fragment.line)}`;
    }
  }
  const named = /^\s*(query|mutation|subscription)\s+([^\s({@]+)/.exec(query);
  if (/^\s*subscription\b/.test(query)) {
    c.r.error(g.line, 'GraphQL subscriptions (over WebSocket) are not supported', 'unsupported');
    return { kind: 'none' };
  }
  switch (form) {
    case 'x-request-type': {
      const operationName = named?.[1] === 'query' ? named[2] : undefined;
      return { kind: 'text', text: JSON.stringify({ query, operationName, variables: variables ?? {} }) };
    }
    case 'keyword':
      return { kind: 'text', text: JSON.stringify({ query, ...(named ? { operationName: named[2] } : {}), ...(variables !== undefined ? { variables } : {}) }) };
    case 'method':
      return { kind: 'text', text: JSON.stringify({ query, ...(variables !== undefined ? { variables } : {}), ...(named ? { operationName: named[2] } : {}) }) };
  }
}
