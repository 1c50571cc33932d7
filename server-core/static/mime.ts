// Content types by file extension: the common web, text, media and archive types.
// Text types carry `charset=utf-8`; an unknown extension is application/octet-stream.

const TYPES: Readonly<Record<string, string>> = Object.freeze({
  // text and code
  html: 'text/html',
  htm: 'text/html',
  css: 'text/css',
  js: 'text/javascript',
  mjs: 'text/javascript',
  cjs: 'text/javascript',
  ts: 'text/plain',
  txt: 'text/plain',
  text: 'text/plain',
  log: 'text/plain',
  ini: 'text/plain',
  conf: 'text/plain',
  md: 'text/markdown',
  markdown: 'text/markdown',
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  xml: 'application/xml',
  json: 'application/json',
  map: 'application/json',
  webmanifest: 'application/manifest+json',
  jsonl: 'application/x-ndjson',
  ndjson: 'application/x-ndjson',
  yaml: 'application/yaml',
  yml: 'application/yaml',
  toml: 'application/toml',
  http: 'text/plain',
  rest: 'text/plain',
  sh: 'text/x-shellscript',
  // images
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  svg: 'image/svg+xml',
  ico: 'image/x-icon',
  bmp: 'image/bmp',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  // fonts
  woff: 'font/woff',
  woff2: 'font/woff2',
  ttf: 'font/ttf',
  otf: 'font/otf',
  eot: 'application/vnd.ms-fontobject',
  // audio and video
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  flac: 'audio/flac',
  m4a: 'audio/mp4',
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  webm: 'video/webm',
  ogv: 'video/ogg',
  mov: 'video/quicktime',
  // documents, archives, binaries
  pdf: 'application/pdf',
  zip: 'application/zip',
  gz: 'application/gzip',
  tgz: 'application/gzip',
  tar: 'application/x-tar',
  bz2: 'application/x-bzip2',
  xz: 'application/x-xz',
  '7z': 'application/x-7z-compressed',
  wasm: 'application/wasm',
  bin: 'application/octet-stream',
  pcap: 'application/vnd.tcpdump.pcap',
  pcapng: 'application/octet-stream',
});

const DEFAULT_TYPE = 'application/octet-stream';

/** Whether a bare media type is text that should carry a charset. */
export function isTextType(type: string): boolean {
  return (
    type.startsWith('text/') ||
    type === 'application/json' ||
    type === 'application/manifest+json' ||
    type === 'application/x-ndjson' ||
    type === 'application/xml' ||
    type === 'application/yaml' ||
    type === 'application/toml' ||
    type === 'image/svg+xml'
  );
}

/** The Content-Type for a file name or path, e.g. `index.html` → `text/html; charset=utf-8`. */
export function contentTypeFor(fileName: string): string {
  const base = fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  const ext = dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
  const type = Object.prototype.hasOwnProperty.call(TYPES, ext) ? TYPES[ext] : DEFAULT_TYPE;
  return isTextType(type) ? `${type}; charset=utf-8` : type;
}
