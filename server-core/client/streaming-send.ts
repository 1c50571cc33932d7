// One exchange whose streamed body is read as it arrives, as an async
// iterable of records (body-stream.ts) next to the usual result:
//
//   const x = sendStreaming(spec, { capture });
//   for await (const r of x) if (r.kind === 'event') show(r.event);   // each as it arrives
//   const result = await x.result;                                     // the exchange, when it ends
//   x.stop();                                                          // enough: end it here
//
// It is sendRequest with onRecord feeding a queue: a response that is not a
// stream yields no records and the loop ends with the exchange. Leaving the
// loop early stops the exchange. The result resolves with `response.stopped`
// after stop(); it rejects (and so does the loop) when the exchange fails.
import { sendRequest, type HttpSendOptions, type HttpSendResult, type StreamRecord } from './http-sender.js';
import type { RequestSpec } from './request-spec.js';
import { AsyncQueue } from './async-queue.js';

export interface StreamingExchange extends AsyncIterable<StreamRecord> {
  /** The exchange as sendRequest returns it, once the response ended (or was stopped). */
  readonly result: Promise<HttpSendResult>;
  /** Ends reading where it stands; the result resolves with what arrived. */
  stop(): void;
}

export function sendStreaming(spec: RequestSpec, options: Omit<HttpSendOptions, 'stop'> = {}): StreamingExchange {
  const stopper = new AbortController();
  const queue = new AsyncQueue<StreamRecord>(() => stopper.abort());
  const result = sendRequest(spec, {
    ...options,
    stop: stopper.signal,
    onRecord: (record) => {
      options.onRecord?.(record);
      queue.push(record);
    },
  });
  result.then(
    () => queue.end(),
    (err: unknown) => queue.fail(err),
  );
  return {
    result,
    stop: () => stopper.abort(),
    [Symbol.asyncIterator]: () => queue[Symbol.asyncIterator](),
  };
}
