// The text of a new scratch `.http` file: one working example of each kind of
// block, aimed at the running built-in server (an HTTP GET and POST to /echo,
// a chunked /stream/5, a WebSocket chat on /ws/chat, a malformed RAW request
// that gets a 400). Pure, so it is tested by running it against a real server.

export interface ScratchTarget {
  /** Host and port of the running server, e.g. 127.0.0.1 and 8080. */
  host: string;
  port: number;
}

export function scratchTemplate(target: ScratchTarget): string {
  const hostPort = target.host.includes(':') ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
  return [
    '# Wireplay scratch requests. This file lives in the editor\'s global storage, outside any project,',
    '# and is listed under "Scratch Requests" in the Wireplay view.',
    '# Click "Send" above a request, or put the cursor in it and press Ctrl+Alt+R (Cmd+Alt+R on macOS).',
    '# Redirects are not followed unless a request says "# @follow-redirects": every hop shows.',
    '',
    `@host = ${hostPort}`,
    '@base = http://{{host}}',
    '',
    '### Echo: the request comes back as JSON, raw bytes included',
    '# @name echo',
    'GET {{base}}/echo?hello=wire',
    'Accept: application/json',
    '',
    '### Post JSON, with dynamic variables and a value from the response above',
    'POST {{base}}/echo',
    'Content-Type: application/json',
    '',
    '{',
    '  "id": "{{$uuid}}",',
    '  "sentAt": "{{$isoTimestamp}}",',
    '  "echoedPath": "{{echo.response.body.$.path}}"',
    '}',
    '',
    '### A chunked response: five chunks, one every 100 ms',
    'GET {{base}}/stream/5',
    '',
    '### WebSocket chat: wait for the join notice, say hello, wait for the broadcast, then close',
    'WEBSOCKET ws://{{host}}/ws/chat',
    '',
    '=== wait-for-server',
    '{"text": "hello from a scratch file"}',
    '=== wait-for-server',
    '',
    '### Raw bytes: a malformed Content-Length, sent exactly as written; the server answers 400',
    `RAW tcp://{{host}}`,
    'POST /echo HTTP/1.1\\r\\nHost: {{host}}\\r\\nContent-Length: ten\\r\\n\\r\\n',
    '',
  ].join('\n');
}
