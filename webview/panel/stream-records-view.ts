// A streamed HTTP response in the Parsed view, record by record as it arrives
// (http.records): each line of NDJSON or chunked text, each json-seq record,
// each event or comment of an event stream, with its time since the
// connection opened and, for a line that should be JSON and is not, why. It
// is listed while the response is still coming (the body is only known at its
// end) and stays above the body afterwards. The latest SHOWN_RECORDS are
// drawn, the count is exact, so a stream of 100 000 lines stays cheap.
import { html, nothing, type TemplateResult } from 'lit';
import type { HttpExchange } from './conn-capture.js';
import { formatMs } from '../shared/format.js';

const SHOWN_RECORDS = 200;

export function streamRecordsView(x: HttpExchange, t0: number): TemplateResult | typeof nothing {
  const all = x.records;
  if (!all?.length) return nothing;
  const count = x.recordCount ?? all.length;
  const shown = all.length > SHOWN_RECORDS ? all.slice(all.length - SHOWN_RECORDS) : all;
  const noun = all.some((r) => r.kind !== 'line') ? (count === 1 ? 'record' : 'records') : count === 1 ? 'line' : 'lines';
  return html`<details open class="stream-records">
    <summary>Streamed: ${count} ${noun}${x.response ? nothing : ' so far'}</summary>
    ${count > shown.length ? html`<div class="note">The latest ${shown.length} of ${count} are listed; the Bytes view has all of them.</div>` : nothing}
    <ol class="srecs" aria-label="Streamed ${noun}, as they arrived">
      ${shown.map(
        (r) => html`<li class="srec ${r.kind}${r.error ? ' bad' : ''}"><span class="t">+${formatMs(r.t - t0)}</span><span class="txt">${r.text}</span>${r.error ? html`<span class="why">${r.error}</span>` : nothing}</li>`,
      )}
    </ol>
  </details>`;
}
