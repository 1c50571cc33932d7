// The line shapes of `.http` files, shared by the parser, the completion
// provider and the CLI. Each pattern says which tool defines it; where the
// tools agree the pattern is their common ground.

/**
 * Methods a request line may start with (REST Client's, httpYac's and JetBrains' lists, plus QUERY and
 * PURGE). GRAPHQL and SSE are keywords rather than methods: GRAPHQL is sent as a POST, SSE (httpYac) as a
 * GET of an event stream (resolve-http.ts).
 */
export const HTTP_METHODS = [
  'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'CONNECT',
  'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'SEARCH', 'PURGE', 'QUERY',
  'CHECKOUT', 'CHECKIN', 'REPORT', 'MERGE', 'MKACTIVITY', 'MKWORKSPACE', 'VERSION-CONTROL',
  'BASELINE-CONTROL', 'MKCALENDAR', 'ACL', 'GRAPHQL', 'SSE',
] as const;

const METHOD_SET = new Set<string>(HTTP_METHODS);

export function isKnownMethod(word: string): boolean {
  return METHOD_SET.has(word.toUpperCase());
}

/** `###`, `#### title`: ends a request (all three tools; httpYac allows indentation). */
export const SEPARATOR = /^\s*#{3,}(.*)$/;
/** `# text` or `// text` (all three tools: anywhere in a request, bodies included). */
export const COMMENT = /^\s*(#|\/\/)/;
/** `# @key value`, `// @key value`, `# @name=x`, `# @name = x`. */
export const METADATA = /^\s*(?:#+|\/\/+)\s*@([A-Za-z][\w-]*)(?:\s*=\s*|\s+)?(.*?)\s*$/;
/** `@name = value` (REST Client, httpYac, JetBrains in-place variables); `@name := value` is httpYac's lazy form. */
export const FILE_VARIABLE = /^\s*@([A-Za-z_$][\w.$-]*)\s*:?=\s*(.*?)\s*$/;
/** `Name: value`. */
export const HEADER = /^\s*([!#$%&'*+\-.^_`|~0-9A-Za-z]+)\s*:\s*(.*?)\s*$/;
/** A query continuation line: `?a=1`, `&b=2`, at any indentation (REST Client, httpYac, JetBrains). */
export const QUERY_CONTINUATION = /^\s*[?&]\S/;
/** httpYac: a line starting with `/` continues the path. */
export const PATH_CONTINUATION = /^\s*\/[^*\s]*\s*$/;
/** `< ./file`, `<@ ./file`, `<@latin1 ./file` (REST Client, httpYac; JetBrains `< file`). */
export const FILE_REFERENCE = /^<(@)?([\w-]+)?\s+(.+?)\s*$/;
/** `>> ./out.json` and `>>! ./out.json` (JetBrains, httpYac). */
export const RESPONSE_OUTPUT = /^\s*>>(!)?\s+(.+?)\s*$/;
/** `<> previous-response.200.json` (JetBrains). */
export const RESPONSE_REF = /^\s*<>\s*(.+?)\s*$/;
/** `> {% … %}` on one line. */
export const SCRIPT_ONE_LINE = /^\s*([<>])\s+\{%(.*)%\}\s*$/;
/** `> {%` opening a script that ends on a `%}` line. */
export const SCRIPT_OPEN = /^\s*([<>])\s+\{%(.*)$/;
export const SCRIPT_CLOSE = /^(.*?)%\}\s*$/;
/** `> ./handler.js`, `< ./pre.js` (a path without spaces, braces or %). */
export const SCRIPT_FILE = /^\s*([<>])\s+([^\s{%}]+)\s*$/;
/** httpYac `{{` alone on a line, optionally `{{+`, `{{@response`, `{{@js response`: a script block until `}}`. */
export const HTTPYAC_SCRIPT_OPEN = /^\s*\{\{(?:@js\s+)?([+@])?(request|streaming|response|after|responseLogging)?\s*$/i;
export const HTTPYAC_SCRIPT_CLOSE = /^\s*\}\}\s*$/;
/** httpYac `?? status == 200`. */
export const HTTPYAC_ASSERTION = /^\s*\?\?\s*\S/;
/** httpYac `/*` … `*\/` block comments (alone on their lines). */
export const BLOCK_COMMENT_OPEN = /^\s*\/\*\s*$/;
export const BLOCK_COMMENT_CLOSE = /^\s*\*\/\s*$/;
/** httpYac `...headers` (default headers from a JavaScript object). */
export const HEADER_SPREAD = /^\s*\.{3}(\S+?),?\s*$/;
/** httpYac GraphQL: a body that starts an operation, or a fragment definition. */
export const GRAPHQL_OPERATION = /^\s*(query|mutation)(?:\s+([^\s({]+))?/;
export const GRAPHQL_FRAGMENT = /^\s*fragment\s+([^\s({]+)\s+on\s+/;
/** REST Client: a region that starts with `curl` is a cURL command. */
export const CURL_COMMAND = /^\s*curl(\s|$)/i;
/** `HTTP/1.1` at the end of a request line. */
export const HTTP_VERSION = /^HTTP\/\d+(?:\.\d+)?$/i;

/** Splits text into lines: CRLF, LF and CR alone (JetBrains spec 2.2) each end a line. */
export function splitLines(text: string): string[] {
  return text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
}

export function isBlank(line: string | undefined): boolean {
  return line === undefined || line.trim() === '';
}

/**
 * A request line: `[METHOD ]target[ HTTP/x.y]`. The method is a known one
 * (any case; sent in capitals, as got and the JetBrains client do) or an
 * extension method written in capitals. Returns undefined for anything else.
 */
export function parseRequestLine(text: string): { method?: string; target: string; httpVersion?: string } | undefined {
  const words = text.trim().split(/\s+/);
  if (words.length === 0 || words[0] === '') return undefined;
  let version: string | undefined;
  if (words.length > 1 && HTTP_VERSION.test(words[words.length - 1])) version = words.pop()!;
  const first = words[0];
  const looksLikeTarget = (w: string) => /^(https?:\/\/|wss?:\/\/|\/|\*$|\{\{|[\w.-]+(:\d+)?(\/|$))/i.test(w);
  if (words.length >= 2 && (isKnownMethod(first) || (/^[A-Z][A-Z0-9_-]*$/.test(first) && !looksLikeTarget(first)))) {
    const target = words.slice(1).join(' ');
    return { method: first.toUpperCase(), target, ...(version ? { httpVersion: version } : {}) };
  }
  if (words.length === 1 && looksLikeTarget(first) && !isKnownMethod(first)) return { target: first, ...(version ? { httpVersion: version } : {}) };
  return undefined;
}

/**
 * httpYac starts a new request at a request line even without `###`. Only a
 * known method followed by something that is unmistakably a target counts, so
 * body text such as "GET well soon" stays text.
 */
export function isImplicitRequestLine(line: string): boolean {
  const m = /^\s*([A-Z][A-Z-]*)\s+(\S+)(\s+HTTP\/\d+(\.\d+)?)?\s*$/.exec(line);
  if (!m || !METHOD_SET.has(m[1])) return false;
  return /^(https?:\/\/|\/|\{\{|\*$)/i.test(m[2]);
}
