// A captured request as a `.http` block, to append to a file ("Save to .http").
//
// The readable form is an HTTP request block (`# @keep-alive`, the request
// line, every header as captured, the body). It is used only when sending it
// back through the `.http` runner would put the captured bytes on the wire:
// that is checked by running the block through the real parser and resolver
// (parseHttpFile, resolveBlock, prepareRequest), not by guessing their rules.
// Otherwise (bytes the text form cannot say: CRLF in a body, non-UTF-8, `{{`,
// a line a `.http` file reads as something else, a header the sender would
// add) the block is a RAW block with the exact bytes, escaped, or in hex.
import { formatEscapedBytes } from '../client/escapes.js';
import { prepareRequest } from '../client/request-spec.js';
import { parseHttpFile } from '../httpfile/parse-http-file.js';
import { resolveBlock } from '../httpfile/resolve-block.js';
import type { VariableContext } from '../httpfile/variables.js';
import { parseCapturedRequest, ReplayError } from './replay.js';

export interface HttpBlockText {
  /** The block, starting with its `###` line and ending with a newline: append it to a file. */
  text: string;
  form: 'http' | 'raw';
  /** Why the readable form could not be used ('' for the http form). */
  reason: string;
}

const PLACEHOLDER = /\{\{\s*(.+?)\s*\}\}/;
const NO_VARIABLES: VariableContext = { fileVariables: [], environment: {}, exchanges: new Map(), processEnv: {}, dotenv: {} };

/**
 * `origin` is where the block sends to (http://host:port or https://host:port); `title` names the
 * block after `###` (default: the method and target).
 */
export async function httpBlockFromBytes(bytes: Buffer, origin: string, title?: string): Promise<HttpBlockText> {
  const p = parseCapturedRequest(bytes);
  const h = p.head;
  const heading = `### ${(title ?? `${h.method} ${h.target}`).replace(/[\r\n]+/g, ' ')}\n`;
  let reason = '';
  const bodyText = p.rawBody.toString('utf8');
  if (h.targetForm !== 'origin' && h.targetForm !== 'absolute') reason = `its ${h.targetForm}-form target cannot be written as a URL`;
  else if (!Buffer.from(bodyText, 'utf8').equals(p.rawBody)) reason = 'its body is not UTF-8 text';
  else if (bodyText.includes('\r')) reason = 'its body contains CR bytes, which a .http body cannot hold';
  if (reason === '') {
    const url = h.targetForm === 'origin' ? origin.replace(/\/$/, '') + h.target : h.target;
    let text = heading + '# @keep-alive\n' + `${h.method} ${url} HTTP/1.1\n`;
    for (const f of h.headers) text += `${f.name}: ${f.value}\n`;
    if (p.rawBody.length > 0) text += `\n${bodyText}\n`;
    // In the user's file, {{name}} would take the value of their variables: not checkable here.
    reason = PLACEHOLDER.test(text) ? 'it contains {{…}}, which a .http file reads as a variable' : await sameBytes(text, bytes);
    if (reason === '') return { text: text + '\n', form: 'http', reason };
  }
  return { text: await rawBlock(heading, bytes, origin, reason), form: 'raw', reason };
}

/** '' when sending `text` writes exactly `bytes`; else what differs. */
async function sameBytes(text: string, bytes: Buffer): Promise<string> {
  const file = parseHttpFile(text);
  const block = file.blocks[0];
  if (file.blocks.length !== 1 || block === undefined || block.kind !== 'http') return 'the .http parser reads the text as something else';
  const error = file.diagnostics.find((d) => d.severity === 'error');
  if (error) return `the .http parser reports: ${error.message}`;
  if (block.body.some((part) => part.kind !== 'text')) return 'a body line reads as a file reference (< path)';
  const resolved = await resolveBlock(block, NO_VARIABLES, text.split('\n'), { baseDir: '/' });
  if (resolved.request?.kind !== 'http') return 'the .http resolver refuses it';
  let sent: Buffer;
  try {
    sent = prepareRequest(resolved.request.spec).bytes;
  } catch (err) {
    return (err as Error).message;
  }
  if (sent.equals(bytes)) return '';
  let i = 0;
  while (i < sent.length && i < bytes.length && sent[i] === bytes[i]) i++;
  return `sent from a request block it would differ from byte ${i} (${JSON.stringify(sent.subarray(i, i + 20).toString('latin1'))} instead of ${JSON.stringify(bytes.subarray(i, i + 20).toString('latin1'))})`;
}

async function rawBlock(heading: string, bytes: Buffer, origin: string, reason: string): Promise<string> {
  const url = new URL(origin);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const address = `${url.protocol === 'https:' ? 'tls' : 'tcp'}://${url.hostname}:${port}`;
  const note = reason ? `# Exact bytes as captured: ${reason}.\n` : '';
  const payload = formatEscapedBytes(bytes, { keepLineBreaks: true });
  const escaped = heading + note + `RAW ${address}\n` + payload + (payload.endsWith('\n') ? '' : '\n');
  if (!PLACEHOLDER.test(payload) && (await rawSends(escaped, bytes))) return escaped + '\n';
  const hex = heading + note + '# @encoding hex\n' + `RAW ${address}\n` + (bytes.toString('hex').match(/.{1,64}/g) ?? []).join('\n') + '\n';
  if (await rawSends(hex, bytes)) return hex + '\n';
  throw new ReplayError('MALFORMED', 'the request could not be written as a .http block that sends the same bytes');
}

async function rawSends(text: string, bytes: Buffer): Promise<boolean> {
  const file = parseHttpFile(text);
  const block = file.blocks[0];
  if (file.blocks.length !== 1 || block?.kind !== 'raw' || file.diagnostics.some((d) => d.severity === 'error')) return false;
  const resolved = await resolveBlock(block, NO_VARIABLES, text.split('\n'), { baseDir: '/' });
  return resolved.request?.kind === 'raw' && resolved.request.bytes.equals(bytes);
}
