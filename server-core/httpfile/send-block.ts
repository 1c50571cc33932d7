// Sends one resolved block (HTTP, RAW or WebSocket) and runs its after-phase
// scripts on what came back: JetBrains handlers read a WebSocket's messages
// or a streamed body's lines while they arrive (and may answer on the
// WebSocket with output()); the other handlers, httpYac blocks and `??` lines
// run once the exchange is complete. Kept apart from the session
// (run-http-file.ts), which decides what to send and when.
import { StringDecoder } from 'node:string_decoder';
import type { HttpSendResult } from '../client/http-sender.js';
import { sendRaw } from '../client/raw-sender.js';
import type { RequestSpec } from '../client/request-spec.js';
import type { ResponseHead } from '../http/parser-types.js';
import type { HeaderPair, JsonValue, ScriptRequestInput, ScriptResponseInput } from '../scripts/index.js';
import type { RequestScripts, StreamScripts } from './request-scripts.js';
import type { ResolvedRequest } from './resolve-block.js';
import type { BlockOutcome, HttpFileSessionOptions, WebSocketTap } from './run-http-file.js';
import { isLineStream, requestAsSent, responseFromHttp, webSocketRequest } from './script-io.js';
import { sendHttp } from './send-http.js';
import type { Dialect, RequestBlock } from './types.js';
import type { NamedExchange } from './variables.js';

export interface SendBlockInput {
  block: RequestBlock;
  request: ResolvedRequest;
  options: HttpFileSessionOptions;
  signal: AbortSignal | undefined;
  dialect: Dialect;
  scripts: RequestScripts;
  /** The request as written, for JetBrains' getRaw(). */
  raw: ScriptRequestInput['raw'];
  /** The variables in scope after the pre-request scripts (computed when a script needs them). */
  variables(): Record<string, JsonValue>;
}

export interface SentBlock {
  outcome: BlockOutcome;
  /** What `{{name.response…}}` references read later, when the exchange happened. */
  exchange?: NamedExchange;
}

export async function sendBlock(input: SendBlockInput): Promise<SentBlock> {
  const { block, request, options, signal } = input;
  try {
    switch (request.kind) {
      case 'http':
        return await sendHttpBlock(input, request);
      case 'raw': {
        const result = await sendRaw(request.bytes, {
          host: request.host,
          port: request.port,
          tls: request.tls,
          halfClose: request.halfClose,
          ...(request.drip ? { drip: { size: request.drip.bytes, intervalMs: request.drip.intervalMs } } : {}),
          ...(signal ? { signal } : {}),
          ...(options.capture ? { capture: options.capture } : {}),
        });
        if (input.scripts.hasAfter) {
          // RAW bytes are not parsed: the scripts see status 0 and what came back as the body.
          const req: ScriptRequestInput = { method: 'RAW', url: `${request.tls ? 'tls' : 'tcp'}://${request.host}:${request.port}`, headers: [], body: request.bytes.toString('latin1') };
          await input.scripts.runAfter(req, { status: 0, headers: [], body: result.received, durationMs: result.timings.total }, input.variables());
        }
        return { outcome: { kind: 'raw', block, result } };
      }
      case 'websocket':
        return await sendWebSocketBlock(input, request);
    }
  } catch (err) {
    // SendError and RequestSpecError carry a stable code: show it (TIMEOUT, CONNECTION_REFUSED…).
    const code = (err as { code?: unknown }).code;
    return { outcome: { kind: 'failed', block, message: `${(err as Error).message}${typeof code === 'string' ? ` (${code})` : ''}`, diagnostics: [] } };
  }
}

function specRequest(spec: RequestSpec, raw: ScriptRequestInput['raw']): ScriptRequestInput {
  const out: ScriptRequestInput = { method: spec.method, url: spec.url, headers: spec.headers.filter((h) => h.enabled).map((h): HeaderPair => [h.name, h.value]) };
  if (spec.body.kind === 'text') out.body = spec.body.text;
  if (raw) out.raw = raw;
  return out;
}

function headResponse(head: ResponseHead): ScriptResponseInput {
  return { status: head.statusCode, statusText: head.reason, httpVersion: `${head.versionMajor}.${head.versionMinor}`, headers: head.headers.map((h): HeaderPair => [h.name, h.value]) };
}

async function sendHttpBlock(input: SendBlockInput, request: Extract<ResolvedRequest, { kind: 'http' }>): Promise<SentBlock> {
  const { block, options, signal, scripts } = input;
  // A streamed body (SSE, NDJSON…) feeds the JetBrains handlers line by line while it arrives.
  let stream: Promise<StreamScripts | undefined> | undefined;
  const decoder = new StringDecoder('utf8');
  let pending = '';
  const feed = (text: string, final: boolean) => {
    pending += text;
    const lines = pending.split(/\r?\n/);
    pending = lines.pop() ?? '';
    if (final && pending !== '') lines.push(pending);
    // Empty lines (the separators of Server-Sent Events) are not items.
    const items = lines.filter((l) => l !== '');
    const s = stream;
    if (s && items.length) void s.then((h) => items.forEach((l) => h?.push(l)));
  };
  const live = scripts.streamHandlers.length > 0;
  const result: HttpSendResult = await sendHttp(
    request,
    {
      ...options.sendOptions,
      ...(signal ? { signal } : {}),
      ...(options.capture ? { capture: options.capture } : {}),
      ...(live
        ? {
            onHead(head: ResponseHead) {
              options.sendOptions?.onHead?.(head);
              const type = head.headers.find((h) => h.name.toLowerCase() === 'content-type')?.value;
              if (!stream && head.statusCode >= 200 && isLineStream(type)) {
                stream = scripts.startStream(specRequest(request.spec, input.raw), headResponse(head), { mode: 'lines' }, input.variables());
              }
            },
            onBody(chunk: Buffer) {
              options.sendOptions?.onBody?.(chunk);
              if (stream) feed(decoder.write(chunk), false);
            },
          }
        : {}),
    },
    input.dialect,
  ).catch(async (err: unknown) => {
    await (await stream)?.end();
    throw err;
  });
  if (stream) {
    feed(decoder.end(), true);
    await (await stream)?.end();
  }
  const exchange: NamedExchange = {
    request: {
      headers: result.request.headers.map((h) => [h.name, h.value] as const),
      body: result.request.body.kind === 'bytes' ? result.request.body.bytes.toString('utf8') : '',
    },
    response: {
      status: result.response.statusCode,
      headers: result.response.headers.map((h) => [h.name, h.value] as const),
      body: (result.response.decodedBody ?? result.response.body).toString('utf8'),
    },
  };
  if (scripts.hasAfter) await scripts.runAfter(requestAsSent(result, input.raw), responseFromHttp(result), input.variables());
  return { outcome: { kind: 'http', block, result }, exchange };
}

async function sendWebSocketBlock(input: SendBlockInput, request: Extract<ResolvedRequest, { kind: 'websocket' }>): Promise<SentBlock> {
  const { block, options, signal, scripts } = input;
  if (!options.runWebSocket) return { outcome: { kind: 'failed', block, message: 'WebSocket blocks need a WebSocket runner', diagnostics: [] } };
  const wsRequest = webSocketRequest(request, input.raw);
  let control: Parameters<WebSocketTap['connected']>[0] | undefined;
  const handlers = await scripts.startStream(
    wsRequest,
    { status: 101, statusText: 'Switching Protocols', headers: [] },
    { mode: 'messages', answer: (text) => control?.send(text), stop: () => control?.stop() },
    input.variables(),
  );
  const tap: WebSocketTap | undefined = handlers && {
    message: (data) => handlers.push(data.toString('utf8')),
    connected: (c) => (control = c),
  };
  let result;
  try {
    result = await options.runWebSocket(request, {
      ...(signal ? { signal } : {}),
      ...(options.capture ? { capture: options.capture } : {}),
      timeoutMs: options.timeoutMs ?? 30_000,
      ...(tap ? { tap } : {}),
    });
  } finally {
    await handlers?.end();
  }
  const lastReceived = [...result.transcript].reverse().find((e) => e.dir === 'received');
  const body = lastReceived ? lastReceived.data.toString('utf8') : '';
  if (scripts.hasAfter) await scripts.runAfter(wsRequest, { status: 101, statusText: 'Switching Protocols', headers: [], body }, input.variables());
  return { outcome: { kind: 'websocket', block, result }, exchange: { response: { status: 101, headers: [], body } } };
}
