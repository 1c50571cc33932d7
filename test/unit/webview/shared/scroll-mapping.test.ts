// The virtual scroller's arithmetic (webview/shared/scroll-mapping.ts): rows ↔
// scroll position, one to one under the 8 M px cap and through a scale past
// it, and where the scroll position goes when the height or the row count
// changes (the end stays the end, elsewhere the top row stays).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  MAX_SCROLL_PX,
  isAtEnd,
  isScaled,
  lastTopRow,
  maxScrollTop,
  placeAfterChange,
  rowAtScrollTop,
  scrollTopOfRow,
  type ScrollGeometry,
} from '../../../../webview/shared/scroll-mapping.js';

const ROW = 20;
/** 20 MiB of hex rows (16 bytes a row): 26 M px of rows, past the cap. */
const BIG: ScrollGeometry = { rows: 1_310_720, rowHeight: ROW, height: 400 };
const SMALL: ScrollGeometry = { rows: 2_000, rowHeight: ROW, height: 400 };

const heights = fc.integer({ min: 40, max: 2_000 });
const scaled = fc.record({ rows: fc.integer({ min: MAX_SCROLL_PX / ROW + 1, max: 7_000_000 }), rowHeight: fc.constant(ROW), height: heights });
const unscaled = fc.record({ rows: fc.integer({ min: 0, max: MAX_SCROLL_PX / ROW }), rowHeight: fc.constant(ROW), height: heights });
const any = fc.oneof(scaled, unscaled);

test('under the cap a pixel is a pixel of rows; the range ends with the last row at the bottom edge', () => {
  assert.equal(isScaled(SMALL), false);
  assert.equal(maxScrollTop(SMALL), 2_000 * ROW - 400);
  assert.equal(rowAtScrollTop(SMALL, 1234), 1234 / ROW);
  assert.equal(scrollTopOfRow(SMALL, 61.7), 61.7 * ROW);
  assert.equal(rowAtScrollTop(SMALL, maxScrollTop(SMALL)), lastTopRow(SMALL));
  // Fewer rows than fit: nothing to scroll, and that is the end.
  const few = { rows: 5, rowHeight: ROW, height: 400 };
  assert.equal(maxScrollTop(few), 0);
  assert.equal(isAtEnd(few, 0), true);
});

test('past the cap the range is the cap; its top is row 0 and its bottom shows the last row at the bottom edge', () => {
  assert.equal(isScaled(BIG), true);
  assert.equal(maxScrollTop(BIG), MAX_SCROLL_PX - 400);
  assert.equal(rowAtScrollTop(BIG, 0), 0);
  assert.equal(rowAtScrollTop(BIG, maxScrollTop(BIG)), BIG.rows - 400 / ROW);
  assert.equal(scrollTopOfRow(BIG, lastTopRow(BIG)), maxScrollTop(BIG));
  // A position past the range (the spacer not yet updated) still shows rows, not blank space below the last.
  assert.equal(rowAtScrollTop(BIG, maxScrollTop(BIG) + 50), lastTopRow(BIG));
});

test('row → scroll position → row comes back, within the range, on both sides of the cap', () => {
  fc.assert(
    fc.property(any, fc.double({ min: 0, max: 1, noNaN: true }), (g, f) => {
      const row = f * lastTopRow(g);
      const top = scrollTopOfRow(g, row);
      assert.ok(top >= 0 && top <= maxScrollTop(g));
      assert.ok(Math.abs(rowAtScrollTop(g, top) - row) < 1e-6 * Math.max(1, g.rows), `row ${row} came back as ${rowAtScrollTop(g, top)}`);
    }),
  );
});

test('more scroll is never fewer rows', () => {
  fc.assert(
    fc.property(any, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (g, a, b) => {
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      const max = maxScrollTop(g);
      assert.ok(rowAtScrollTop(g, lo * max) <= rowAtScrollTop(g, hi * max));
    }),
  );
});

test('the bug this module exists for: past the cap, a scroll position kept through a height change is rows short of the end', () => {
  // At the end, then the status line under the view wraps and takes 15 px from it.
  const shorter = { ...BIG, height: 385 };
  const kept = maxScrollTop(BIG);
  const short = lastTopRow(shorter) - rowAtScrollTop(shorter, kept);
  assert.ok(short > 2 && short < 3, `${short.toFixed(2)} rows short (rows × 15 px / 8 M px ≈ 2.5)`);
  // Where the scroller puts it instead: the end of the new range.
  const place = placeAfterChange(BIG, shorter, kept, true);
  assert.deepEqual(place, { scrollTop: maxScrollTop(shorter), atEnd: true });
  assert.equal(rowAtScrollTop(shorter, place.scrollTop), lastTopRow(shorter));
});

test('at the end, a new height keeps the end, on both sides of the cap', () => {
  fc.assert(
    fc.property(any, heights, (g, h) => {
      const after = { ...g, height: h };
      const place = placeAfterChange(g, after, maxScrollTop(g), true);
      assert.equal(place.scrollTop, maxScrollTop(after));
      assert.equal(place.atEnd, true);
    }),
  );
});

test('a short list (at its end, since it all fits) that grows past the cap at once starts at its top', () => {
  const empty = { ...BIG, rows: 0 };
  assert.equal(isAtEnd(empty, 0), true);
  assert.deepEqual(placeAfterChange(empty, BIG, 0, true), { scrollTop: 0, atEnd: false });
  // The first layout keeps what the element has.
  assert.deepEqual(placeAfterChange(undefined, BIG, 0, true), { scrollTop: 0, atEnd: false });
});

test('elsewhere, a new height keeps the top row: the same position under the cap, the same row past it', () => {
  fc.assert(
    fc.property(any, heights, fc.double({ min: 0, max: 0.9, noNaN: true }), (g, h, f) => {
      const after = { ...g, height: h };
      const top = f * maxScrollTop(g);
      if (isAtEnd(g, top)) return;
      const row = rowAtScrollTop(g, top);
      const place = placeAfterChange(g, after, top, false);
      if (row <= lastTopRow(after)) assert.ok(Math.abs(rowAtScrollTop(after, place.scrollTop) - row) < 1e-6 * Math.max(1, g.rows));
      else assert.equal(place.atEnd, true, 'a top row past the new last top row clamps to the end');
      if (!isScaled(g)) assert.equal(place.scrollTop, Math.min(top, maxScrollTop(after)));
    }),
  );
});

test('new rows: past the cap the end follows them and a view elsewhere keeps its row; under the cap the position stays', () => {
  const more = { ...BIG, rows: BIG.rows + 4096 };
  assert.deepEqual(placeAfterChange(BIG, more, maxScrollTop(BIG), true), { scrollTop: maxScrollTop(more), atEnd: true });
  const middle = scrollTopOfRow(BIG, 600_000);
  assert.ok(Math.abs(rowAtScrollTop(more, placeAfterChange(BIG, more, middle, false).scrollTop) - 600_000) < 1e-6);
  const grown = { ...SMALL, rows: SMALL.rows + 100 };
  assert.deepEqual(placeAfterChange(SMALL, grown, maxScrollTop(SMALL), true), { scrollTop: maxScrollTop(SMALL), atEnd: false });
  // Crossing the cap keeps the row too.
  const crossed = { ...SMALL, rows: MAX_SCROLL_PX / ROW + 50_000 };
  assert.ok(Math.abs(rowAtScrollTop(crossed, placeAfterChange(SMALL, crossed, 1000 * ROW, false).scrollTop) - 1000) < 1e-6);
});

test('it converges in one step: placed again with nothing changed, the place is the same', () => {
  fc.assert(
    fc.property(fc.option(any, { nil: undefined }), any, fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean(), (before, after, f, atEnd) => {
      const first = placeAfterChange(before, after, f * (before ? maxScrollTop(before) : maxScrollTop(after)), atEnd);
      const again = placeAfterChange(after, after, first.scrollTop, first.atEnd);
      assert.ok(Math.abs(again.scrollTop - first.scrollTop) < 1e-6 * Math.max(1, maxScrollTop(after)), `${first.scrollTop} then ${again.scrollTop}`);
      assert.equal(again.atEnd, first.atEnd);
    }),
  );
});
