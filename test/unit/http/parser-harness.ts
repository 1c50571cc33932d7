// Drives HttpMessageParser and turns its events into a readable log, one line per event,
// used by the unit, corpus and property tests. Adjacent body events are merged, so the log
// does not depend on how the input was split; bytes pushed after an upgrade are appended to
// the upgrade's rest for the same reason.
import { HttpMessageParser } from '../../../server-core/http/message-parser.js';
import type { HeaderField, HeadDecision, HttpParserLimits, MessageHead, Span } from '../../../server-core/http/parser-types.js';

export interface ParseOptions {
  kind: 'request' | 'response';
  limits?: Partial<HttpParserLimits>;
  /** Answer 'upgrade' to heads whose `upgrade` flag is set (what a server that accepts upgrades does). */
  upgrade?: boolean;
  /** Answer 'no-body' to every head (responses to HEAD). */
  noBody?: boolean;
  /** Call finish() after the last chunk. */
  eof?: boolean;
}

const span = (s: Span): string => `${s.start}..${s.end}`;
/** Quoted, with `"` and `\` escaped and every byte outside printable ASCII as \xHH (\r, \n and \t by name). */
export function str(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x5c) out += '\\' + s[i];
    else if (c === 13) out += '\\r';
    else if (c === 10) out += '\\n';
    else if (c === 9) out += '\\t';
    else if (c < 0x20 || c > 0x7e) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += s[i];
  }
  return out + '"';
}

function field(kind: string, f: HeaderField): string {
  return `${kind} ${str(f.name)} ${str(f.value)} line=${span(f.lineSpan)} name=${span(f.nameSpan)} value=${span(f.valueSpan)}`;
}

export function headLines(head: MessageHead): string[] {
  const out: string[] = [];
  if (head.kind === 'request') {
    out.push(
      `request ${head.method} ${str(head.target)} ${head.targetForm} ${head.versionMajor}.${head.versionMinor} ` +
        `line=${span(head.startLineSpan)} method=${span(head.methodSpan)} target=${span(head.targetSpan)} version=${span(head.versionSpan)}`,
    );
  } else {
    out.push(
      `response ${head.statusCode} ${str(head.reason)} ${head.versionMajor}.${head.versionMinor} ` +
        `line=${span(head.startLineSpan)} version=${span(head.versionSpan)} status=${span(head.statusSpan)} reason=${span(head.reasonSpan)}`,
    );
  }
  for (const f of head.headers) out.push(field('header', f));
  const flags = [`keepAlive=${head.keepAlive}`, `cl=${head.contentLength}`, `chunked=${head.chunked}`, `upgrade=${head.upgrade}`];
  if (head.kind === 'request') flags.push(`expect=${head.expectContinue}`);
  out.push(`head ${span(head.headSpan)} ${flags.join(' ')}`);
  return out;
}

export class LogRecorder {
  readonly log: string[] = [];
  readonly heads: MessageHead[] = [];
  private body: { start: number; end: number; bytes: Buffer[] } | null = null;
  private upgradeRest: Buffer[] | null = null;
  readonly parser: HttpMessageParser;

  constructor(readonly opts: ParseOptions) {
    this.parser = new HttpMessageParser(
      opts.kind,
      {
        onHead: (head): HeadDecision => {
          this.flush();
          this.heads.push(head);
          this.log.push(...headLines(head));
          if (opts.upgrade && head.upgrade) return 'upgrade';
          if (opts.noBody) return 'no-body';
          return undefined;
        },
        onBody: (data, s) => {
          if (data.length !== s.end - s.start) throw new Error(`body length ${data.length} != span ${span(s)}`);
          if (this.body && this.body.end === s.start) {
            this.body.end = s.end;
            this.body.bytes.push(Buffer.from(data));
          } else {
            this.flush();
            this.body = { start: s.start, end: s.end, bytes: [Buffer.from(data)] };
          }
        },
        onChunkHeader: (c) => {
          this.flush();
          this.log.push(`chunk ${c.size} ${str(c.extensions)} line=${span(c.span)} size=${span(c.sizeSpan)}`);
        },
        onTrailers: (trailers, s) => {
          this.flush();
          for (const f of trailers) this.log.push(field('trailer', f));
          this.log.push(`trailers ${span(s)}`);
        },
        onMessageComplete: (s) => {
          this.flush();
          this.log.push(`complete ${span(s)}`);
        },
        onUpgrade: (rest) => {
          this.flush();
          this.upgradeRest = [Buffer.from(rest)];
        },
        onError: (err) => {
          this.flush();
          this.log.push(`error ${err.code} ${err.status} @${err.offset}`);
        },
      },
      opts.limits,
    );
  }

  push(chunk: Buffer): void {
    if (this.upgradeRest) this.upgradeRest.push(Buffer.from(chunk));
    else this.parser.push(chunk);
  }

  end(): string[] {
    if (this.opts.eof && !this.upgradeRest) this.parser.finish();
    this.flush();
    if (this.upgradeRest) this.log.push(`upgrade ${str(Buffer.concat(this.upgradeRest).toString('latin1'))}`);
    this.upgradeRest = null;
    return this.log;
  }

  private flush(): void {
    if (!this.body) return;
    this.log.push(`body ${span(this.body)} ${str(Buffer.concat(this.body.bytes).toString('latin1'))}`);
    this.body = null;
  }
}

export function parseChunks(chunks: Buffer[], opts: ParseOptions): string[] {
  const r = new LogRecorder(opts);
  for (const c of chunks) r.push(c);
  return r.end();
}

/** The input whole, split at every position, and byte by byte: returns the logs that differ from the whole one. */
export function splitVariants(input: Buffer): { name: string; chunks: Buffer[] }[] {
  const out: { name: string; chunks: Buffer[] }[] = [];
  for (let i = 1; i < input.length; i++) out.push({ name: `split at ${i}`, chunks: [input.subarray(0, i), input.subarray(i)] });
  const bytes: Buffer[] = [];
  for (let i = 0; i < input.length; i++) bytes.push(input.subarray(i, i + 1));
  out.push({ name: 'byte by byte', chunks: bytes });
  return out;
}
