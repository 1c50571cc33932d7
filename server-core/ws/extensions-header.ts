// Sec-WebSocket-Extensions (RFC 6455 §9.1): a comma-separated list of
// extensions, each with `;`-separated parameters whose values are tokens or
// quoted strings.

export interface ExtensionOffer {
  name: string;
  /** In order; a parameter without a value is `true`. */
  params: [string, string | true][];
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Parses the header; null when it is malformed. Several header lines are joined with ', ' first. */
export function parseExtensions(header: string): ExtensionOffer[] | null {
  const out: ExtensionOffer[] = [];
  let i = 0;
  const n = header.length;
  const ws = () => {
    while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
  };
  const token = (): string | null => {
    const s = i;
    while (i < n && !' \t,;="'.includes(header[i])) i++;
    const t = header.slice(s, i);
    return TOKEN.test(t) ? t : null;
  };
  ws();
  if (i === n) return out;
  for (;;) {
    ws();
    const name = token();
    if (name === null) return null;
    const ext: ExtensionOffer = { name, params: [] };
    ws();
    while (header[i] === ';') {
      i++;
      ws();
      const pname = token();
      if (pname === null) return null;
      ws();
      let value: string | true = true;
      if (header[i] === '=') {
        i++;
        ws();
        if (header[i] === '"') {
          i++;
          let v = '';
          while (i < n && header[i] !== '"') {
            if (header[i] === '\\') i++;
            v += header[i++] ?? '';
          }
          if (header[i] !== '"') return null;
          i++;
          if (!TOKEN.test(v)) return null; // RFC 6455: a quoted value must still be a token
          value = v;
        } else {
          const v = token();
          if (v === null) return null;
          value = v;
        }
        ws();
      }
      ext.params.push([pname, value]);
    }
    out.push(ext);
    if (i === n) return out;
    if (header[i] !== ',') return null;
    i++;
  }
}

export function formatExtension(ext: ExtensionOffer): string {
  return [ext.name, ...ext.params.map(([k, v]) => (v === true ? k : `${k}=${v}`))].join('; ');
}
