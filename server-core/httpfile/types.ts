// The shape of a parsed `.http` / `.rest` file. Lines and columns are 0-based,
// like VS Code's Position, so the extension maps them without arithmetic.
//
// One model for the three dialects (REST Client, httpYac, JetBrains) and
// Wireplay's own blocks. Everything a request says is kept as a typed part —
// scripts, assertions, previous-response references included — so nothing
// is dropped silently: what Wireplay cannot do is refused at its line (see
// `unsupported.ts`), and the scripts are run from `scripts` by
// `request-scripts.ts`, never re-parsed.

/**
 * Which tool's reading to follow where the three tools put different bytes on
 * the wire for the same text (docs/http-files.md lists those places). `auto`
 * follows the reading documented there and warns at each such line.
 */
export type Dialect = 'auto' | 'rest-client' | 'httpyac' | 'jetbrains';

export const DIALECTS: readonly Dialect[] = ['auto', 'rest-client', 'httpyac', 'jetbrains'];

export interface Diagnostic {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  message: string;
  severity: 'error' | 'warning' | 'info';
  /**
   * Why: `syntax` (the parser cannot place the text), `unsupported` (a feature
   * Wireplay refuses to fake), `divergence` (the tools disagree; dialect `auto`),
   * `variable`, `file`, `reference`, `script` (a script failed, was stopped or was not run).
   * Syntax and unsupported errors are exit 2 on the CLI.
   */
  code?: 'syntax' | 'unsupported' | 'divergence' | 'variable' | 'file' | 'reference' | 'prompt' | 'script';
}

export interface LineRange {
  startLine: number;
  /** Inclusive: the last line that belongs to the block (trailing blank lines excluded). */
  endLine: number;
}

export interface FileVariable {
  name: string;
  /** The raw value; it may itself contain {{references}}. */
  value: string;
  line: number;
}

export interface MetadataLine {
  /** As written, e.g. `name`, `no-redirect`, `forceRef`. */
  key: string;
  value: string;
  line: number;
}

export interface HeaderLine {
  name: string;
  value: string;
  line: number;
}

/** A body is a list of parts so that text and `< ./file` lines can mix (multipart bodies). */
export type BodyPart =
  | { kind: 'text'; text: string; line: number }
  | { kind: 'file'; path: string; processVariables: boolean; encoding?: string; line: number };

/**
 * Where a script's code is: written in the file (from `line`, and on that first
 * line from `column` when the code starts after `{%`), or in a file of its own.
 */
export type ScriptSource = { kind: 'inline'; code: string; line: number; column?: number } | { kind: 'file'; path: string; line: number };

/**
 * A script or assertion attached to a request, as the script engine
 * (server-core/scripts/) runs it: `before` runs before the request is built,
 * `after` once the response is in (for a WebSocket or a streamed response:
 * while it streams).
 */
export type RequestScript =
  /** JetBrains `< {% … %}` / `< ./pre.js` before the request line. */
  | { kind: 'jetbrains-pre-request'; phase: 'before'; source: ScriptSource; range: LineRange }
  /** JetBrains `> {% … %}` / `> ./handler.js` after the body, or after the messages of a WebSocket block (httpYac runs them too). */
  | { kind: 'jetbrains-response-handler'; phase: 'after'; source: ScriptSource; range: LineRange }
  /**
   * httpYac `{{ … }}` blocks; `event` as written after `{{` (request, response, after, streaming…), `everyRequest` for `{{+`.
   * Without an event, a block above the request line runs before it and one below runs after the response, as in httpYac.
   */
  | { kind: 'httpyac-script'; phase: 'before' | 'after'; event: string; everyRequest: boolean; source: ScriptSource; range: LineRange }
  /** httpYac `?? status == 200`. */
  | { kind: 'httpyac-assertion'; phase: 'after'; text: string; range: LineRange };

/** How a GraphQL body was written; `query` and `variables` are the body split at its first empty line. */
export interface GraphqlBody {
  /** `x-request-type` (REST Client header), `keyword` (httpYac: a body starting with query/mutation/fragment), `method` (GRAPHQL). */
  form: 'x-request-type' | 'keyword' | 'method';
  query: BodyPart[];
  variables: BodyPart[];
  line: number;
}

interface BlockCommon {
  /** From `# @name x` / `// @name x`, else from the text after `###`. */
  name?: string;
  /** The text after the `###` that opened the block, if any. */
  title?: string;
  /** `# @key value` lines before the request line, e.g. { 'no-redirect': '' } (the last one of a key wins). */
  metadata: Record<string, string>;
  /** The same lines in order, repeated keys included (`# @ref a`, `# @ref b`, `# @prompt …`). */
  metadataLines: MetadataLine[];
  /** From the first line of the block's own text (after the separator) to its last non-blank line. */
  range: LineRange;
  /** The line of the request line (`GET …`, `WEBSOCKET …`, `RAW …`, `curl …`): where a CodeLens goes. */
  requestLine: number;
  /** Index of the region (the text between two `###`, or split by a request line) the block belongs to. */
  region: number;
  /** `@name = value` lines inside this request's region: they apply to this request only (httpYac). */
  variables: FileVariable[];
  /** Scripts and assertions of this request. */
  scripts: RequestScript[];
  /** What stops this block from being sent, found while parsing: syntax errors and unsupported features, at their line. */
  errors: Diagnostic[];
  /** Divergences and other notes found while parsing this block. */
  warnings: Diagnostic[];
}

export interface HttpRequestBlock extends BlockCommon {
  kind: 'http';
  method: string;
  /** The request target as written, continuation lines joined. */
  url: string;
  /** e.g. 'HTTP/1.1' when written on the request line. */
  httpVersion?: string;
  headers: HeaderLine[];
  body: BodyPart[];
  /** Set when the body is a GraphQL operation (then `body` is empty). */
  graphql?: GraphqlBody;
  /** `>> file` / `>>! file`: where to write the response body. */
  responseOutput?: { path: string; overwrite: boolean; line: number };
  /** JetBrains `<> previous-response.json` lines: ignored, as JetBrains does when sending. */
  responseRefs: { path: string; line: number }[];
  /** A pasted cURL command (REST Client): the command text, continuation lines joined. */
  curl?: { command: string; line: number };
}

export type WebSocketStep =
  | { kind: 'send'; parts: BodyPart[]; line: number }
  | { kind: 'wait-for-server'; line: number };

export interface WebSocketBlock extends BlockCommon {
  kind: 'websocket';
  /** 'WEBSOCKET' (JetBrains) or 'WS' (httpYac). */
  keyword: string;
  url: string;
  headers: HeaderLine[];
  steps: WebSocketStep[];
}

export interface RawBlock extends BlockCommon {
  kind: 'raw';
  /** `tcp://host:port` or `tls://host:port`. */
  url: string;
  /**
   * The payload as written, escapes not yet applied. Line breaks in the file are
   * not sent: a RAW block says every byte it sends, so CR and LF are written as
   * `\r` and `\n`. That keeps the bytes independent of the file's own line endings.
   */
  payload: string;
  payloadLine: number;
  /** `# @encoding hex` makes the payload hex digits instead of text with escapes. */
  encoding: 'text' | 'hex';
}

export type RequestBlock = HttpRequestBlock | WebSocketBlock | RawBlock;

export interface HttpFile {
  blocks: RequestBlock[];
  /**
   * `@name = value` lines outside any request (before the first request, or in a
   * region without one): they apply to the whole file. Definitions inside a
   * request's region are that block's `variables`.
   */
  fileVariables: FileVariable[];
  /** Every definition in file order, scoped or not (what REST Client reads: the last one wins everywhere). */
  allVariables: FileVariable[];
  /** Metadata of regions without a request (`# @import other.http`, `# @prompt` for the whole file). */
  fileMetadata: MetadataLine[];
  /** Scripts outside any request (httpYac `{{ }}` in a global region): httpYac runs them before every request. */
  fileScripts: RequestScript[];
  /** httpYac GraphQL fragments defined outside a request (`fragment Name on Type { … }`), by name. */
  graphqlFragments: Record<string, { text: string; line: number }>;
  /** Every diagnostic of the file: lines no request owns, and each block's errors and warnings. */
  diagnostics: Diagnostic[];
  dialect: Dialect;
}
