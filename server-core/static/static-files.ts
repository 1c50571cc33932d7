// Static files from a root folder, on the handler contract.
//
// The rule: the real path of what is served (fs.realpath, every symlink resolved)
// is the real root or lies under it. Before that check even runs, a request path
// is refused when it carries anything a traversal needs:
//   - an encoded slash, backslash or NUL (%2f, %5c, %00), a raw backslash   → 403
//   - after decoding: a NUL or a backslash, a '.' or '..' segment            → 403
//   - invalid percent-encoding (overlong UTF-8 such as %c0%ae, a lone '%')   → 404
//     (the router does not match a path it cannot decode)
//   - a real path outside the real root (a symlink pointing out)            → 403
//   - a dot-file or dot-folder segment (.git, .env) unless dotfiles: 'allow' → 404
//   - a file named with a trailing slash (/files/ok.txt/)                    → 404
// The file is opened with O_NOFOLLOW after the check, and its size and times come
// from the open descriptor, so what is measured is what is sent.
//
// Responses: weak ETag from size and mtime, Last-Modified, 304 for If-None-Match /
// If-Modified-Since, a single byte range → 206 (bytes=a-b, a-, -n), an unsatisfiable
// range → 416 with `Content-Range: bytes */size`, several ranges → 200 with the whole
// file (allowed by RFC 9110 §14.2, and simpler than multipart/byteranges). A
// directory serves its index.html, else a generated listing. Bodies are streamed
// from the descriptor through res.write()/res.drain(), never read whole.
import {
  close as closeCb,
  constants as fsConstants,
  fstat as fstatCb,
  open as openCb,
  read as readCb,
  realpath as realpathCb,
  stat as statCb,
  type Stats,
} from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Handler, ServerRequest, ServerResponse } from '../http/handler-types.js';
import { safeDecode, sendText } from '../router/router.js';
import { ReadBufferPool } from './read-buffer-pool.js';
import { contentTypeFor } from './mime.js';
import { formatBytes } from '../util/byte-size.js';
import { escapeHtml } from '../util/html.js';

/** Re-exported for the demo routes' index page; the owner is util/html.ts. */
export { escapeHtml };

export interface StaticOptions {
  /** The folder served. Its real path is the boundary. */
  root: string;
  /** File names tried, in order, when a directory is requested. Default ['index.html']. */
  index?: readonly string[];
  /** Generate an HTML listing for a directory without an index. Default true. */
  listing?: boolean;
  /** 'deny' (default): any segment starting with '.' answers 404 and is hidden from listings. */
  dotfiles?: 'deny' | 'allow';
  /** Read size per chunk. Default 512 KiB (a smaller file is read in one chunk of its size). */
  highWaterMark?: number;
  /** Cache-Control sent with files. Default 'no-cache' (always revalidate: a playground's files change). */
  cacheControl?: string;
}

export type PathCheck = { ok: true; segments: string[] } | { ok: false; status: 403 | 404; reason: string };

export type Resolution =
  | { ok: true; realPath: string; realRoot: string; stats: Stats; segments: string[] }
  | { ok: false; status: 403 | 404; reason: string };

const ENCODED_SEPARATOR = /%(2f|5c|00)/i;
// 512 KiB reads: a 1 MiB file is 2 thread-pool reads and 2 socket writes instead of 16 and 16.
// In an A/B of `wireplay serve` (1 MiB file, wrk c=10, pinned, alternating) this cut the server's
// CPU per request from 2.3–3.5 ms to 1.8–2.0 ms (node:http with createReadStream's 64 KiB: 1.7 ms).
// A read is sized to what is left, so a small file still costs one buffer of its own size.
export const DEFAULT_HIGH_WATER_MARK = 512 * 1024;
// The reads of DEFAULT_HIGH_WATER_MARK bytes share one process-wide pool (every server of the
// process: the extension host may run several), reused once the socket let go of them.
const READ_BUFFERS = new ReadBufferPool(DEFAULT_HIGH_WATER_MARK);

// The per-request file-system calls use the callback API, not node:fs/promises.
// On Node 20 every fs/promises call (and every FileHandle read: 16 per MiB at
// 64 KiB) allocates a promise request object with its own stats array; serving a
// 1 MiB file through FileHandle streams ran at ~0.4x node:http, and left the
// process streaming ~30% slower afterwards even through plain fs streams
// (bench/http-server.bench.ts). The body is read with fs.read on the descriptor,
// one chunk at a time (streamBody): an fs.ReadStream reads ahead of the socket and
// adds its Readable machinery per chunk; the plain loop cut the CPU per 1 MiB
// request by 7–15% against it. realpath is the native one (one uv_fs_realpath, as
// fs/promises' realpath), not the JS walk of fs.realpath.
const realpath = (p: string): Promise<string> =>
  new Promise((resolve, reject) => realpathCb.native(p, (err, r) => (err ? reject(err) : resolve(r))));
const stat = (p: string): Promise<Stats> => new Promise((resolve, reject) => statCb(p, (err, st) => (err ? reject(err) : resolve(st))));
const openFd = (p: string, flags: number): Promise<number> =>
  new Promise((resolve, reject) => openCb(p, flags, (err, fd) => (err ? reject(err) : resolve(fd))));
const fstat = (fd: number): Promise<Stats> => new Promise((resolve, reject) => fstatCb(fd, (err, st) => (err ? reject(err) : resolve(st))));
const closeFd = (fd: number): Promise<void> => new Promise((resolve) => closeCb(fd, () => resolve()));

/**
 * Checks a request path before it touches the file system.
 * @param rawPath the path as received (still percent-encoded)
 * @param decodedRelative the part below the mount point, already decoded (the router's params['*']);
 *   when undefined, rawPath is decoded whole.
 */
export function checkRequestPath(rawPath: string, decodedRelative: string | undefined, dotfiles: 'deny' | 'allow' = 'deny'): PathCheck {
  if (ENCODED_SEPARATOR.test(rawPath)) return { ok: false, status: 403, reason: 'encoded slash, backslash or NUL in the path' };
  if (rawPath.includes('\\')) return { ok: false, status: 403, reason: 'backslash in the path' };
  const rel = decodedRelative ?? safeDecode(rawPath);
  if (rel === undefined) return { ok: false, status: 404, reason: 'invalid percent-encoding' };
  if (rel.includes('\0')) return { ok: false, status: 403, reason: 'NUL in the path' };
  if (rel.includes('\\')) return { ok: false, status: 403, reason: 'backslash in the path' };
  const segments: string[] = [];
  for (const seg of rel.split('/')) {
    if (seg === '') continue;
    if (seg === '.' || seg === '..') return { ok: false, status: 403, reason: `'${seg}' segment in the path` };
    if (process.platform === 'win32' && seg.includes(':')) return { ok: false, status: 403, reason: "':' in the path" };
    if (dotfiles === 'deny' && seg.startsWith('.')) return { ok: false, status: 404, reason: 'dot-files are not served' };
    segments.push(seg);
  }
  return { ok: true, segments };
}

function isInside(realRoot: string, real: string): boolean {
  if (real === realRoot) return true;
  const prefix = realRoot.endsWith(sep) ? realRoot : realRoot + sep;
  return real.startsWith(prefix);
}

/** Resolves checked segments under a root; the real path must stay inside the real root. */
export async function resolveInRoot(root: string, segments: readonly string[], dotfiles: 'deny' | 'allow' = 'deny'): Promise<Resolution> {
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch {
    return { ok: false, status: 404, reason: 'the root folder does not exist' };
  }
  let real: string;
  try {
    real = await realpath(join(realRoot, ...segments));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'EACCES' || code === 'ELOOP'
      ? { ok: false, status: 403, reason: `cannot resolve (${code})` }
      : { ok: false, status: 404, reason: 'not found' };
  }
  if (!isInside(realRoot, real)) return { ok: false, status: 403, reason: 'the path resolves outside the root' };
  if (dotfiles === 'deny' && relative(realRoot, real).split(sep).some((s) => s.startsWith('.'))) {
    return { ok: false, status: 404, reason: 'dot-files are not served' };
  }
  let stats: Stats;
  try {
    stats = await stat(real);
  } catch {
    return { ok: false, status: 404, reason: 'not found' };
  }
  return { ok: true, realPath: real, realRoot, stats, segments: [...segments] };
}

/** A handler serving `options.root`; mount it on a wildcard route (`/files/*`) or use it alone. */
export function createStaticHandler(options: StaticOptions): Handler {
  const dotfiles = options.dotfiles ?? 'deny';
  const index = options.index ?? ['index.html'];
  const listing = options.listing ?? true;
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendText(res, 405, `${req.method} is not allowed on static files\n`, { Allow: 'GET, HEAD, OPTIONS' });
      return;
    }
    const checked = checkRequestPath(req.path, req.params['*'], dotfiles);
    if (!checked.ok) return refuse(res, checked.status, checked.reason);
    const found = await resolveInRoot(options.root, checked.segments, dotfiles);
    if (!found.ok) return refuse(res, found.status, found.reason);

    if (found.stats.isDirectory()) {
      if (!req.path.endsWith('/')) {
        const q = req.target.indexOf('?');
        const location = req.path + '/' + (q >= 0 ? req.target.slice(q) : '');
        res.writeHead(301, { Location: location, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': 0 });
        res.end();
        return;
      }
      for (const name of index) {
        const candidate = await resolveInRoot(options.root, [...checked.segments, name], dotfiles);
        if (candidate.ok && candidate.stats.isFile()) {
          req.pipeline?.served([...checked.segments, name].join('/'));
          return sendFile(req, res, candidate.realPath, options);
        }
      }
      if (!listing) return refuse(res, 404, 'directory listing is off');
      req.pipeline?.served(checked.segments.map((s) => s + '/').join(''));
      return sendListing(req, res, found.realPath, found.realRoot, checked.segments.length === 0, dotfiles);
    }
    // `/files/ok.txt/` names a folder: a file is not one (the file system agrees: ENOTDIR).
    if (req.path.endsWith('/')) return refuse(res, 404, 'a file is not a folder');
    req.pipeline?.served(checked.segments.join('/'));
    return sendFile(req, res, found.realPath, options);
  };
}

/**
 * Serves one file named relative to a root (user routes' `file` entries), with the
 * same containment rules as the static handler.
 */
export async function serveFileInRoot(req: ServerRequest, res: ServerResponse, root: string, relativePath: string, options: Omit<StaticOptions, 'root'> = {}): Promise<void> {
  const dotfiles = options.dotfiles ?? 'allow';
  const checked = checkRequestPath('', relativePath.split(sep).join('/'), dotfiles);
  if (!checked.ok) return refuse(res, checked.status, checked.reason);
  const found = await resolveInRoot(root, checked.segments, dotfiles);
  if (!found.ok) return refuse(res, found.status, found.reason);
  if (!found.stats.isFile()) return refuse(res, 404, 'not a file');
  req.pipeline?.served(checked.segments.join('/'));
  return sendFile(req, res, found.realPath, { ...options, root });
}

function refuse(res: ServerResponse, status: 403 | 404, reason: string): void {
  sendText(res, status, status === 403 ? `Forbidden: ${reason}\n` : `Not found\n`);
}

export function weakETag(stats: Pick<Stats, 'size' | 'mtimeMs'>): string {
  return `W/"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`;
}

/** If-None-Match against our ETag, weak comparison (RFC 9110 §13.1.2). */
export function etagMatches(ifNoneMatch: string, etag: string): boolean {
  const ours = etag.replace(/^W\//, '');
  for (const part of ifNoneMatch.split(',')) {
    const tag = part.trim();
    if (tag === '*') return true;
    if (tag.replace(/^W\//, '') === ours) return true;
  }
  return false;
}

export type RangeResult =
  | { type: 'none' }
  | { type: 'multiple' }
  | { type: 'unsatisfiable' }
  | { type: 'range'; start: number; end: number };

/** Parses a Range header against a size. Syntax it does not understand is ignored ('none'), as RFC 9110 allows. */
export function parseRange(header: string, size: number): RangeResult {
  const m = /^\s*bytes\s*=\s*(.*)$/i.exec(header);
  if (!m) return { type: 'none' };
  const spec = m[1];
  if (spec.includes(',')) return { type: 'multiple' };
  const r = /^\s*(\d*)\s*-\s*(\d*)\s*$/.exec(spec);
  if (!r || (r[1] === '' && r[2] === '')) return { type: 'none' };
  if (r[1] === '') {
    const n = Number(r[2]);
    if (n === 0 || size === 0) return { type: 'unsatisfiable' };
    return { type: 'range', start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(r[1]);
  const last = r[2] === '' ? Infinity : Number(r[2]);
  if (last < start) return { type: 'none' };
  if (start >= size) return { type: 'unsatisfiable' };
  return { type: 'range', start, end: Math.min(last, size - 1) };
}

function notModified(req: ServerRequest, etag: string, mtimeMs: number): boolean {
  const inm = req.header('if-none-match');
  if (inm !== undefined) return etagMatches(inm, etag);
  const ims = req.header('if-modified-since');
  if (ims === undefined) return false;
  const since = Date.parse(ims);
  return !Number.isNaN(since) && Math.floor(mtimeMs / 1000) * 1000 <= since;
}

/** Whether If-Range (when present) still allows the range: only a date equal to Last-Modified does, our ETags being weak. */
function ifRangeAllows(req: ServerRequest, lastModified: string): boolean {
  const ifRange = req.header('if-range');
  if (ifRange === undefined) return true;
  if (ifRange.startsWith('"') || ifRange.startsWith('W/')) return false;
  return Date.parse(ifRange) === Date.parse(lastModified);
}

/**
 * Sends a file already known to be allowed (its real path checked). Handles
 * conditional requests and ranges; GET streams the bytes, HEAD sends the headers only.
 */
export async function sendFile(req: ServerRequest, res: ServerResponse, realPath: string, options: Omit<StaticOptions, 'root'> & { root?: string } = {}): Promise<void> {
  const flags = fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0);
  let fd: number;
  try {
    fd = await openFd(realPath, flags);
  } catch {
    return refuse(res, 404, 'not found');
  }
  let fdOwnedByStream = false;
  try {
    const stats = await fstat(fd);
    if (!stats.isFile()) return refuse(res, 403, 'not a regular file');
    const size = stats.size;
    const etag = weakETag(stats);
    const lastModified = new Date(Math.floor(stats.mtimeMs / 1000) * 1000).toUTCString();
    // Cache-Control and Content-Type already set on the response (a user route's headers) are kept.
    const validators: Record<string, string> = { ETag: etag, 'Last-Modified': lastModified };
    if (res.getHeader('cache-control') === undefined) validators['Cache-Control'] = options.cacheControl ?? 'no-cache';
    if (notModified(req, etag, stats.mtimeMs)) {
      res.writeHead(304, validators);
      res.end();
      return;
    }
    const headers: Record<string, string | number> = {
      ...validators,
      ...(res.getHeader('content-type') === undefined ? { 'Content-Type': contentTypeFor(realPath) } : {}),
      'Accept-Ranges': 'bytes',
      'X-Content-Type-Options': 'nosniff',
    };
    let start = 0;
    let end = size - 1;
    let status = 200;
    const rangeHeader = req.header('range');
    if (rangeHeader !== undefined && ifRangeAllows(req, lastModified)) {
      const range = parseRange(rangeHeader, size);
      if (range.type === 'unsatisfiable') {
        sendText(res, 416, `Range Not Satisfiable: the file has ${size} bytes\n`, { 'Content-Range': `bytes */${size}` });
        return;
      }
      if (range.type === 'range') {
        status = 206;
        start = range.start;
        end = range.end;
        headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
      }
    }
    const length = size === 0 ? 0 : end - start + 1;
    headers['Content-Length'] = length;
    res.writeHead(status, headers);
    if (req.method === 'HEAD' || length === 0) {
      res.end();
      return;
    }
    // streamBody owns the descriptor from here on (it closes it when the body ends, in every case).
    fdOwnedByStream = true;
    await streamBody(req, res, fd, start, end, options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK);
  } finally {
    if (!fdOwnedByStream) await closeFd(fd);
  }
}

/**
 * Streams bytes start..end (inclusive) of an open descriptor through res.write(),
 * pausing on backpressure until res.drain(). Resolves once the body is written
 * (res.end() called) or the request was aborted; the descriptor is closed either way.
 */
function streamBody(req: ServerRequest, res: ServerResponse, fd: number, start: number, end: number, highWaterMark: number): Promise<void> {
  return new Promise((resolve) => {
    // Not req.signal: its AbortController (an EventTarget) per request took the 1 MiB file
    // benchmark from ~650 to ~480 requests/s, through the garbage it adds. The server's
    // requests answer isAborted directly; other implementations fall back to the signal.
    const aborted = req.isAborted !== undefined ? () => req.isAborted === true : () => req.signal.aborted;
    let pos = start;
    // Either the whole range was written, or (abort, read error, a file that shrank) the body
    // ends short of its Content-Length and the server closes the connection after it.
    const finish = (): void => {
      closeCb(fd, () => {});
      res.end();
      resolve();
    };
    // One read at a time, straight from the descriptor: the next read starts when the socket took
    // the last chunk (at once, or after a drain), never ahead of it.
    // Full-size reads use the pooled buffers (read-buffer-pool.ts); the last, shorter read of a
    // file gets a buffer of its own size, so a small file or a capture never holds 512 KiB.
    const pooled = highWaterMark === READ_BUFFERS.size;
    const released = (): boolean => res.buffersReleased === true;
    const readNext = (): void => {
      if (aborted() || pos > end) return finish();
      const left = end - pos + 1;
      const buf = pooled && left >= highWaterMark ? READ_BUFFERS.take() : Buffer.allocUnsafeSlow(Math.min(highWaterMark, left));
      readCb(fd, buf, 0, buf.length, pos, onRead);
    };
    const onRead = (err: NodeJS.ErrnoException | null, n: number, buf: Buffer): void => {
      if (err || n === 0 || aborted()) {
        if (pooled) READ_BUFFERS.give(buf, null);
        return finish();
      }
      pos += n;
      const more = res.write(n === buf.length ? buf : buf.subarray(0, n));
      if (pooled) READ_BUFFERS.give(buf, released);
      if (more) readNext();
      else res.drain().then(readNext, readNext);
    };
    readNext();
  });
}

async function sendListing(req: ServerRequest, res: ServerResponse, dir: string, realRoot: string, atMountRoot: boolean, dotfiles: 'deny' | 'allow'): Promise<void> {
  const entries = (await readdir(dir, { withFileTypes: true })).filter((e) => dotfiles === 'allow' || !e.name.startsWith('.'));
  const listed = await Promise.all(
    entries.map(async (e) => {
      let isDir = e.isDirectory();
      let size = '';
      try {
        if (e.isSymbolicLink()) {
          // A symlink pointing out of the root is not listed: not even its size may leak.
          const real = await realpath(join(dir, e.name));
          if (!isInside(realRoot, real)) return undefined;
        }
        const s = await stat(join(dir, e.name));
        isDir = s.isDirectory();
        if (!isDir) size = formatBytes(s.size);
      } catch {
        return undefined; // a dangling symlink or a vanished entry
      }
      return { name: e.name, isDir, size };
    }),
  );
  const rows = listed.filter((r): r is { name: string; isDir: boolean; size: string } => r !== undefined);
  rows.sort((a, b) => (a.isDir !== b.isDir ? (a.isDir ? -1 : 1) : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const title = `Index of ${safeDecode(req.path) ?? req.path}`;
  const lines = rows.map((r) => {
    const href = encodeURIComponent(r.name) + (r.isDir ? '/' : '');
    return `<tr><td><a href="${escapeHtml(href)}">${escapeHtml(r.name)}${r.isDir ? '/' : ''}</a></td><td>${r.size}</td></tr>`;
  });
  if (!atMountRoot) lines.unshift('<tr><td><a href="../">../</a></td><td></td></tr>');
  const html = `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em}td{padding:.1em 1.5em .1em 0}</style></head>
<body><h1>${escapeHtml(title)}</h1>
<table>
${lines.join('\n')}
</table>
</body></html>
`;
  const body = Buffer.from(html, 'utf8');
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': body.length, 'Cache-Control': 'no-cache' });
  res.end(body);
}
