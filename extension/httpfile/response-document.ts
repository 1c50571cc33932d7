// What the response tab of a `.http` send shows, as REST Client users expect
// it: the body in the language of its Content-Type (JSON, XML, HTML, …, so the
// editor highlights and folds it), headed by a comment in that language with
// the resolved request line (the URL as sent, variables filled in), the status
// line, the headers and the timings. A tab that holds anything else (a
// WebSocket transcript, RAW bytes, a failure, several sends at once) is plain
// text, each section headed by its resolved request line. No vscode here.
import { bytesAsText, describeOutcome, formatOutcome } from '../../server-core/httpfile/format-outcome.js';
import type { BlockOutcome } from '../../server-core/httpfile/run-http-file.js';

/** Where an exchange's section starts, for "Open in Inspector". */
export interface InspectTarget {
  /** 0-based line of the section's first line. */
  line: number;
  connectionId: string;
  title: string;
}

export interface ResponseDocument {
  text: string;
  /** A VS Code language id. */
  languageId: string;
  targets: InspectTarget[];
}

interface CommentStyle {
  /** Lines before and after the head (block comments). */
  open?: string;
  close?: string;
  /** Put before each line of the head. */
  prefix: string;
  /** What a head line may not contain inside this comment, and what it becomes (shown in docs/http-files.md). */
  escape?: [RegExp, string];
}

const LINE = (prefix: string): CommentStyle => ({ prefix });
const HTML_COMMENT: CommentStyle = { open: '<!--', close: '-->', prefix: '  ', escape: [/--/g, '- -'] };

/** Content types with a language VS Code ships, and how a comment is written in it. */
const LANGUAGES: { test: RegExp; languageId: string; comment: CommentStyle }[] = [
  // jsonc, not json: the same highlighting and folding, and the head comment is valid there.
  { test: /^(application|text)\/([\w.+-]+\+)?json(-seq)?$|^application\/(ld|problem|manifest)\+json$/, languageId: 'jsonc', comment: LINE('// ') },
  { test: /^text\/html$|^application\/xhtml\+xml$/, languageId: 'html', comment: HTML_COMMENT },
  { test: /^(application|text|image)\/([\w.+-]+\+)?xml$/, languageId: 'xml', comment: HTML_COMMENT },
  { test: /^(application|text)\/(javascript|ecmascript|x-javascript)$/, languageId: 'javascript', comment: LINE('// ') },
  { test: /^text\/css$/, languageId: 'css', comment: { open: '/*', close: ' */', prefix: ' * ', escape: [/\*\//g, '* /'] } },
  { test: /^(application|text)\/(x-)?yaml$/, languageId: 'yaml', comment: LINE('# ') },
  { test: /^text\/markdown$/, languageId: 'markdown', comment: HTML_COMMENT },
];

const PLAIN: CommentStyle = { prefix: '' };

/** The language and comment style for a Content-Type value (parameters ignored). */
export function languageFor(contentType: string | undefined): { languageId: string; comment: CommentStyle } {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const hit = LANGUAGES.find((l) => l.test.test(type));
  return hit ?? { languageId: 'plaintext', comment: PLAIN };
}

/** The block's label with what was actually sent: `login — GET http://127.0.0.1:8123/echo` for `GET http://{{host}}/echo`. */
export function resolvedTitle(outcome: BlockOutcome): string {
  const name = outcome.block.name ? `${outcome.block.name} — ` : '';
  switch (outcome.kind) {
    case 'http': {
      const first = outcome.result.redirects[0] ?? outcome.result;
      return `${name}${first.request.method} ${first.request.url.href}`;
    }
    case 'websocket':
      return `${name}${outcome.block.kind === 'websocket' ? outcome.block.keyword : 'WEBSOCKET'} ${outcome.result.url}`;
    default:
      // RAW blocks, failures and skipped blocks: as written (a failed block was never built).
      return formatOutcome(outcome).split('\n')[0].replace(/^### /, '');
  }
}

function connectionOf(outcome: BlockOutcome): string | undefined {
  return outcome.kind === 'http' || outcome.kind === 'websocket' || outcome.kind === 'raw' ? outcome.result.connectionId : undefined;
}

function typed(main: Extract<BlockOutcome, { kind: 'http' }>, earlier: readonly BlockOutcome[]): ResponseDocument {
  const r = main.result;
  const res = r.response;
  const contentType = res.headers.find((h) => h.name.toLowerCase() === 'content-type')?.value;
  const body = res.decodedBody ?? res.body;
  const text = body.length ? bytesAsText(body) : '';
  // Bytes that are not text are shown escaped: no language can read them.
  const { languageId, comment } = text === body.toString('utf8') ? languageFor(contentType) : { languageId: 'plaintext', comment: PLAIN };
  const head: string[] = [resolvedTitle(main)];
  for (const [i, hop] of r.redirects.entries()) {
    const next = r.redirects[i + 1] ?? r;
    head.push(`HTTP/${hop.response.httpVersion} ${hop.response.statusCode} ${hop.response.reason} → ${next.request.method} ${next.request.url.href}`);
  }
  head.push(`HTTP/${res.httpVersion} ${res.statusCode} ${res.reason}`, ...res.headers.map((h) => `${h.name}: ${h.value}`), '');
  // The notes the CLI prints (sizes, timings), without their "* ".
  head.push(...describeOutcome(main).notes.map((l) => l.replace(/^\* /, '')));
  for (const e of earlier) head.push(`sent first: ${resolvedTitle(e)} → ${statusOf(e)}`);
  const escaped = head.map((l) => (comment.escape ? l.replace(comment.escape[0], comment.escape[1]) : l)).map((l) => `${comment.prefix}${l}`.trimEnd());
  const lines = [...(comment.open ? [comment.open] : []), ...escaped, ...(comment.close ? [comment.close] : []), ''];
  const connectionId = r.connectionId;
  return { text: `${lines.join('\n')}${text}${text.endsWith('\n') || !text ? '' : '\n'}`, languageId, targets: [{ line: 0, connectionId, title: resolvedTitle(main) }] };
}

function statusOf(o: BlockOutcome): string {
  switch (o.kind) {
    case 'http':
      return `${o.result.response.statusCode} ${o.result.response.reason}`;
    case 'failed':
      return `not sent: ${o.message}`;
    case 'skipped':
      return `not sent: ${o.reason}`;
    default:
      return 'done';
  }
}

/** Sections in plain text, one after the other, each headed by its resolved request line. */
function plain(sends: readonly (readonly BlockOutcome[])[]): ResponseDocument {
  const lines: string[] = [];
  const targets: InspectTarget[] = [];
  for (const outcome of sends.flat()) {
    const section = formatOutcome(outcome).split('\n');
    section[0] = `### ${resolvedTitle(outcome)}`;
    const connectionId = connectionOf(outcome);
    if (connectionId) targets.push({ line: lines.length, connectionId, title: resolvedTitle(outcome) });
    lines.push(...section);
  }
  return { text: lines.join('\n'), languageId: 'plaintext', targets };
}

/**
 * The document for the sends a tab holds (each send: the outcomes of one Send,
 * the requested block last, the named requests it needed before it). One send
 * whose request was HTTP is typed by its Content-Type; anything else is text.
 */
export function responseDocument(sends: readonly (readonly BlockOutcome[])[]): ResponseDocument {
  if (sends.length === 1) {
    const outcomes = sends[0];
    const main = outcomes.at(-1);
    if (main?.kind === 'http') return typed(main, outcomes.slice(0, -1));
  }
  return plain(sends);
}
