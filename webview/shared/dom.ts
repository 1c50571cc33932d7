// The one DOM helper the views share: an element of a class, for the fixed
// structure around what lit templates and row pools draw.
export function div(className: string): HTMLDivElement {
  const el = document.createElement('div');
  el.className = className;
  return el;
}
