// The shape of a parsed `.http` / `.rest` file. Lines and columns are 0-based,
// like VS Code's Position, so the extension maps them without arithmetic.

export interface Diagnostic {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  message: string;
  severity: 'error' | 'warning' | 'info';
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

export interface HeaderLine {
  name: string;
  value: string;
  line: number;
}

/** A body is a list of parts so that text and `< ./file` lines can mix (multipart bodies). */
export type BodyPart =
  | { kind: 'text'; text: string; line: number }
  | { kind: 'file'; path: string; processVariables: boolean; encoding?: string; line: number };

interface BlockCommon {
  /** From `# @name x` / `// @name x`, else from the text after `###`. */
  name?: string;
  /** The text after the `###` that opened the block, if any. */
  title?: string;
  /** `# @key value` lines before the request line, e.g. { 'no-redirect': '' }. */
  metadata: Record<string, string>;
  /** From the first line of the block's own text (after the separator) to its last non-blank line. */
  range: LineRange;
  /** The line of the request line (`GET …`, `WEBSOCKET …`, `RAW …`): where a CodeLens goes. */
  requestLine: number;
}

export interface HttpRequestBlock extends BlockCommon {
  kind: 'http';
  method: string;
  url: string;
  /** e.g. 'HTTP/1.1' when written on the request line. */
  httpVersion?: string;
  headers: HeaderLine[];
  body: BodyPart[];
  /** `>> file` / `>>! file`: where to write the response body. */
  responseOutput?: { path: string; overwrite: boolean; line: number };
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
  /** `@name = value` lines; they apply to the whole file, as in REST Client. */
  fileVariables: FileVariable[];
  diagnostics: Diagnostic[];
}
