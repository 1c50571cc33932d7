// What a request needs from outside its text before it is built: the values
// of its `# @prompt`s (REST Client) and the passes of its `# @loop` (httpYac).
// Pure: the session supplies the prompt callback and the variable lookup.
import type { PromptForValue } from './run-http-file.js';
import type { Diagnostic, MetadataLine, RequestBlock } from './types.js';
import type { Substitution } from './variables.js';

function lineError(lines: readonly string[], line: number, message: string, code: Diagnostic['code']): Diagnostic {
  return { line, column: 0, endLine: line, endColumn: lines[line]?.length ?? 0, message, severity: 'error', code };
}

/** `# @prompt name description`: `--var name=…` first, else the prompt callback; no answer is a refusal. */
export async function promptValues(
  block: RequestBlock,
  metadata: readonly MetadataLine[],
  lines: readonly string[],
  options: { cliVariables?: Record<string, string>; prompt?: PromptForValue },
): Promise<{ ok: true; values: Record<string, string> } | { ok: false; diagnostic: Diagnostic }> {
  const values: Record<string, string> = {};
  for (const m of metadata.filter((x) => x.key === 'prompt')) {
    const [name, ...rest] = m.value.split(/\s+/);
    if (!name) continue;
    const description = rest.join(' ') || undefined;
    const answer =
      options.cliVariables?.[name] ??
      (await options.prompt?.({ name, ...(description ? { description } : {}), password: /^(password|passwd|pass)$/i.test(name), line: m.line, block }));
    if (answer === undefined) {
      const how = options.prompt ? 'no value was given' : 'there is no one to ask';
      return { ok: false, diagnostic: lineError(lines, m.line, `"${name}" is prompted for (# @prompt) and ${how}: pass --var ${name}=VALUE on the command line`, 'prompt') };
    }
    values[name] = answer;
  }
  return { ok: true, values };
}

/**
 * `# @loop for N` and `# @loop for item of [JSON array]` (httpYac): the locals
 * of each pass, `$index` included. httpYac evaluates the iterable as
 * JavaScript; Wireplay reads a JSON array, or a variable holding one.
 */
export function loopPasses(
  block: RequestBlock,
  lines: readonly string[],
  base: Record<string, string>,
  lookup: (name: string) => Substitution,
): { values: Record<string, string>[] } | { error: Diagnostic } {
  const spec = block.metadata.loop;
  if (spec === undefined) return { values: [base] };
  const line = block.metadataLines.find((m) => m.key === 'loop')!.line;
  const fail = (message: string) => ({ error: lineError(lines, line, message, 'syntax') });
  const count = /^\s*for\s+(\d+)\s*$/.exec(spec);
  if (count) return { values: Array.from({ length: Number(count[1]) }, (_, i) => ({ ...base, $index: String(i) })) };
  const forOf = /^\s*for\s+(\S+)\s+of\s+(.+?)\s*$/.exec(spec)!;
  let text = forOf[2];
  if (/^[\w.$-]+$/.test(text)) {
    const s = lookup(text);
    if (s.unresolved.length) return fail(`# @loop: ${s.unresolved[0].reason}`);
    text = s.text;
  }
  let items: unknown;
  try {
    items = JSON.parse(text);
  } catch {
    return fail(`# @loop for ${forOf[1]} of …: "${forOf[2]}" is not a JSON array (httpYac evaluates JavaScript here; Wireplay reads a JSON array or a variable holding one)`);
  }
  if (!Array.isArray(items)) return fail(`# @loop for ${forOf[1]} of …: "${forOf[2]}" is not an array`);
  return { values: items.map((item, i) => ({ ...base, $index: String(i), [forOf[1]]: typeof item === 'string' ? item : JSON.stringify(item) })) };
}
