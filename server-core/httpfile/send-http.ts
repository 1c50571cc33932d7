// Sends the HTTP request of a `.http` block: the exchange itself (sendRequest),
// the Digest challenge answered when the request asks for it, and the
// response body saved for `>> file` / `>>! file`. Kept apart from the session
// (run-http-file.ts), which decides what to send and when.
import { existsSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { sendRequest, type HttpSendOptions, type HttpSendResult } from '../client/http-sender.js';
import type { RequestSpec } from '../client/request-spec.js';
import { digestAuthorization, parseDigestChallenge } from './auth.js';
import type { ResolvedRequest } from './resolve-block.js';
import type { Dialect } from './types.js';

export async function sendHttp(request: Extract<ResolvedRequest, { kind: 'http' }>, options: HttpSendOptions, dialect: Dialect): Promise<HttpSendResult> {
  // `>> file`: the body goes to a .part file while it arrives, renamed once complete.
  const partial = request.responseOutput ? `${request.responseOutput.path}.part` : undefined;
  const sendOptions: HttpSendOptions = { ...options, ...(partial ? { bodyFile: partial } : {}) };
  let result = await sendRequest(request.spec, sendOptions);
  if (request.digest) result = await answerDigest(request.spec, request.digest, result, sendOptions, dialect);
  if (request.responseOutput && partial) await saveOutput(partial, request.responseOutput);
  return result;
}

/**
 * `Authorization: Digest user pass`: the first exchange went without
 * credentials; a 401 with a Digest challenge is answered once, with the
 * response computed from it. Both exchanges are in the result (the first as
 * an earlier hop) and in the capture.
 */
async function answerDigest(spec: RequestSpec, digest: { user: string; password: string }, first: HttpSendResult, options: HttpSendOptions, dialect: Dialect): Promise<HttpSendResult> {
  if (first.response.statusCode !== 401) return first;
  const header = first.response.headers.find((h) => h.name.toLowerCase() === 'www-authenticate' && /^\s*digest\s/i.test(h.value));
  const challenge = header && parseDigestChallenge(header.value);
  if (!challenge) return first;
  // REST Client signs the path with its query; httpYac the path alone.
  const uri = dialect === 'httpyac' ? first.request.url.pathname : first.request.target;
  const value = digestAuthorization(challenge, { method: first.request.method, uri, user: digest.user, password: digest.password });
  let filled = false;
  const headers = spec.headers.map((h) => {
    if (filled || h.enabled || h.name.toLowerCase() !== 'authorization') return h;
    filled = true;
    return { ...h, value, enabled: true };
  });
  const second = await sendRequest({ ...spec, headers }, options);
  const { redirects: firstRedirects, ...firstExchange } = first;
  return { ...second, redirects: [...firstRedirects, firstExchange, ...second.redirects] };
}

/** `>> file` refuses to overwrite (a numbered name is used instead); `>>! file` overwrites. */
async function saveOutput(partial: string, output: { path: string; overwrite: boolean }): Promise<void> {
  let target = output.path;
  if (!output.overwrite) {
    for (let n = 1; existsSync(target); n++) target = output.path.replace(/(\.[^./\\]*)?$/, `-${n}$1`);
  }
  await rename(partial, target);
}
