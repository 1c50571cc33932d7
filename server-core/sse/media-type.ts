// Recognises an event stream by its Content-Type: the MIME type's essence
// (type/subtype, lower-cased, parameters dropped) must be text/event-stream, as
// EventSource requires. The sender uses it to switch to event parsing, the
// reconnect policy to refuse other responses.

/** `Text/Event-Stream; charset=utf-8` → `text/event-stream`; '' for a missing or empty value. */
export function mimeEssence(contentType: string | undefined): string {
  if (contentType === undefined) return '';
  const semi = contentType.indexOf(';');
  const essence = semi < 0 ? contentType : contentType.slice(0, semi);
  return essence.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '').toLowerCase();
}

export function isEventStreamContentType(contentType: string | undefined): boolean {
  return mimeEssence(contentType) === 'text/event-stream';
}
