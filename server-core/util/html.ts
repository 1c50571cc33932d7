// HTML escaping for the few pages server-core writes as text (the static
// directory listing, the demo routes' index): the five characters that can
// end a text node or an attribute value. The one owner; the webview renders
// with lit templates, which escape structurally.

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}
