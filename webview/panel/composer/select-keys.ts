// A closed vscode-single-select answers the keyboard as a native <select>
// does: ↑ and ↓ pick the previous and next option without opening the list,
// and typing picks the first option that starts with what was typed (GET, then
// P for POST, P again for PUT, "PA" for PATCH). Alt+↓, Space and Enter still
// open the list. The component alone opens its list on every arrow key and
// ignores letters, which made the method picker slow to use from the keyboard.

type Select = HTMLElement & { value: string; open?: boolean };

/** How long typed letters are joined into one search, ms. */
const TYPEAHEAD_MS = 800;

/** The option `typed` picks, searching after `current` (a repeated single letter cycles through its options). */
export function typeaheadPick(options: readonly string[], current: string, typed: string): string | undefined {
  const t = typed.toLowerCase();
  const repeat = t.length > 1 && [...t].every((c) => c === t[0]);
  const prefix = repeat ? t[0] : t;
  const start = options.indexOf(current);
  const order = repeat || t.length === 1 ? [...options.slice(start + 1), ...options.slice(0, start + 1)] : options;
  return order.find((o) => o.toLowerCase().startsWith(prefix));
}

/** Installs the keys on `el`; `options` lists its values in order. */
export function nativeSelectKeys(el: Select, options: () => readonly string[]): void {
  let typed = '';
  let timer: ReturnType<typeof setTimeout> | undefined;
  const pick = (value: string | undefined) => {
    if (value === undefined || value === el.value) return;
    el.value = value;
    el.dispatchEvent(new Event('change', { bubbles: true }));
  };
  // Capture phase on the element: before the component's own handler, which it then does not see.
  el.addEventListener(
    'keydown',
    (e) => {
      if (el.open || e.ctrlKey || e.metaKey || e.altKey) return;
      const list = options();
      const at = list.indexOf(el.value);
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        pick(list[Math.max(0, Math.min(list.length - 1, at + (e.key === 'ArrowDown' ? 1 : -1)))]);
      } else if (e.key === 'Home' || e.key === 'End') {
        pick(list[e.key === 'Home' ? 0 : list.length - 1]);
      } else if (e.key.length === 1 && e.key !== ' ') {
        clearTimeout(timer);
        typed += e.key;
        timer = setTimeout(() => (typed = ''), TYPEAHEAD_MS);
        // Nothing starts with all the letters typed: start a new search with the last one (as a native select does).
        let found = typeaheadPick(list, el.value, typed);
        if (found === undefined && typed.length > 1) found = typeaheadPick(list, el.value, (typed = e.key));
        pick(found);
      } else return;
      e.preventDefault();
      e.stopImmediatePropagation();
    },
    { capture: true },
  );
}
