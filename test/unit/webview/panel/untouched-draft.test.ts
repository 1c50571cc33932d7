// Which request tab Edit and Resend fills: an untouched one (the defaults of
// "New request", whatever the server's port), never one the user changed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completeDraft, defaultComposerState, draftsForHost, isUntouchedDraft } from '../../../../webview/panel/composer/state.js';
import { parseFromWebview } from '../../../../server-core/playground/validate.js';

test('a new tab is untouched, for any server port, and also after a round trip through the host', () => {
  assert.equal(isUntouchedDraft(defaultComposerState(null)), true);
  assert.equal(isUntouchedDraft(defaultComposerState('http://127.0.0.1:41234')), true);
  const tab = defaultComposerState('http://127.0.0.1:41234', 'tab-1');
  const back = parseFromWebview(JSON.parse(JSON.stringify({ type: 'drafts.save', drafts: draftsForHost([tab], 'tab-1') })));
  assert.equal(back.type, 'drafts.save');
  const restored = completeDraft(back.type === 'drafts.save' ? back.drafts.tabs[0] : undefined, null)!;
  assert.equal(isUntouchedDraft(restored), true, 'fields in the host’s order are still the defaults');
});

test('any change a user makes counts as touched', () => {
  const d = () => defaultComposerState('http://127.0.0.1:8123');
  const changes: [string, (s: ReturnType<typeof d>) => void][] = [
    ['the URL path', (s) => (s.http.url = 'http://127.0.0.1:8123/echo')],
    ['another host', (s) => (s.http.url = 'http://example.test/')],
    ['the method', (s) => (s.http.method = 'POST')],
    ['a header', (s) => s.http.headers.push({ name: 'X-A', value: '1', enabled: true })],
    ['the body', (s) => (s.http.body.text = '{}')],
    ['the mode', (s) => (s.mode = 'ws')],
    ['the WebSocket URL', (s) => (s.ws.url = 'ws://127.0.0.1:8123/ws/chat')],
    ['the message', (s) => (s.ws.text = 'hi')],
    ['the event stream URL', (s) => (s.sse!.url = 'http://127.0.0.1:8123/sse/other')],
    ['the raw bytes', (s) => (s.raw.text = 'PING\\r\\n')],
    ['the raw host', (s) => (s.raw.host = '10.0.0.1')],
    ['Send ×N', (s) => (s.repeat.count = '5')],
  ];
  for (const [what, change] of changes) {
    const s = d();
    change(s);
    assert.equal(isUntouchedDraft(s), false, what);
  }
});
