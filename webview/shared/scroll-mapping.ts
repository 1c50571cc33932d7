// The arithmetic of the virtual scroller (virtual-list.ts), without the DOM:
// rows of a fixed height ↔ the scroll position of an element whose scroll
// height is capped. Browsers stop at ~33 M px, so the scroll height stops at
// MAX_SCROLL_PX; past that cap the scroll position maps proportionally onto
// the rows (the top of the range is row 0, the bottom shows the last row at
// the bottom edge), and one pixel of scrolling is several rows.
//
// Through that scale a scroll position means a different row once the height
// or the row count changes: kept as it was, it moves the view by
// rows × Δheight / MAX_SCROLL_PX rows (3 rows for 15 px at 20 MiB of hex).
// `placeAfterChange` says where the scroll position goes instead, so that the
// end stays the end and, elsewhere, the top row stays the top row.

export const MAX_SCROLL_PX = 8_000_000;

export interface ScrollGeometry {
  rows: number;
  rowHeight: number;
  /** The viewport's height, px (> 0). */
  height: number;
}

/** The rows are taller than the cap: the scroll position maps onto them through a scale. */
export function isScaled(g: ScrollGeometry): boolean {
  return g.rows * g.rowHeight > MAX_SCROLL_PX;
}

/** The largest scroll position: the spacer's height under the viewport (the scroll height is the viewport + it). */
export function maxScrollTop(g: ScrollGeometry): number {
  return Math.max(0, Math.min(g.rows * g.rowHeight, MAX_SCROLL_PX) - g.height);
}

/** The (fractional) top row that shows the last row at the bottom edge. */
export function lastTopRow(g: ScrollGeometry): number {
  return Math.max(0, g.rows - g.height / g.rowHeight);
}

/** The (fractional) row at the top of the viewport at a scroll position. */
export function rowAtScrollTop(g: ScrollGeometry, scrollTop: number): number {
  if (!isScaled(g)) return scrollTop / g.rowHeight;
  const max = maxScrollTop(g);
  const frac = max > 0 ? Math.max(0, Math.min(1, scrollTop / max)) : 0;
  return frac * lastTopRow(g);
}

/** The scroll position that puts a (fractional) row at the top of the viewport, within the scroll range. */
export function scrollTopOfRow(g: ScrollGeometry, row: number): number {
  const max = maxScrollTop(g);
  const top = isScaled(g) ? (row / Math.max(1, lastTopRow(g))) * max : row * g.rowHeight;
  return Math.max(0, Math.min(max, top));
}

/** The scroll position is at the end of its range (a pixel short counts: positions may be fractional). */
export function isAtEnd(g: ScrollGeometry, scrollTop: number): boolean {
  return scrollTop >= maxScrollTop(g) - 1;
}

export interface ScrollPlace {
  scrollTop: number;
  atEnd: boolean;
}

/**
 * Where the scroll position goes when the viewport's height or the row count changed from `before` to `after`
 * (`before` undefined: the first layout, where there is nothing to keep):
 * - at the end, a new height keeps the end (the last row at the bottom edge); new rows keep it only past the cap
 *   on both sides, as the scale always did (under the cap new rows leave the view where it is, as a browser does,
 *   and a short list that grows past the cap at once starts at its top, not its end);
 * - otherwise the top row stays the top row; under the cap on both sides that is the same scroll position.
 * The result is clamped to the new range, and says whether it is at the end. Applied again with nothing
 * changed it gives the same place: it converges in one step.
 */
export function placeAfterChange(before: ScrollGeometry | undefined, after: ScrollGeometry, scrollTop: number, atEnd: boolean): ScrollPlace {
  const max = maxScrollTop(after);
  let top = scrollTop;
  if (before) {
    const keepEnd = atEnd && (before.rows !== after.rows ? isScaled(before) && isScaled(after) : before.height !== after.height);
    if (keepEnd) top = max;
    else if (isScaled(before) || isScaled(after)) top = scrollTopOfRow(after, rowAtScrollTop(before, scrollTop));
  }
  top = Math.max(0, Math.min(max, top));
  return { scrollTop: top, atEnd: isAtEnd(after, top) };
}
