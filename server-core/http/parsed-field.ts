// A header field as the parser hands it out: its name and value as strings, and the
// spans of its line, name and value built only when someone reads them (the hex view,
// the dissection). A request's fields are read by name far more often than by position:
// keeping five offsets instead of three span objects saves about 100 bytes per field,
// which every request and every WebSocket upgrade allocated and mostly dropped
// (BENCHMARKS.md, idle connection memory). It still reads, and serialises to JSON,
// exactly as the plain HeaderField object it implements.
import type { HeaderField, Span } from './parser-types.js';

export class ParsedField implements HeaderField {
  constructor(
    readonly name: string,
    readonly value: string,
    /** Absolute offsets: line start (= name start), name end, value start, value end, line end (before CRLF). */
    private readonly s: number,
    private readonly ne: number,
    private readonly vs: number,
    private readonly ve: number,
    private readonly e: number,
  ) {}

  get lineSpan(): Span {
    return { start: this.s, end: this.e };
  }

  get nameSpan(): Span {
    return { start: this.s, end: this.ne };
  }

  get valueSpan(): Span {
    return { start: this.vs, end: this.ve };
  }

  /** The plain HeaderField shape (what JSON, a log line or a message to a webview carries). */
  toJSON(): HeaderField {
    return { name: this.name, value: this.value, lineSpan: this.lineSpan, nameSpan: this.nameSpan, valueSpan: this.valueSpan };
  }
}
