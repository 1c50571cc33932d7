// A JSON Schema (draft-07) validator for the subset of keywords that the routes
// schema uses, so server-core can check `wireplay.routes.json` with the very file
// VS Code uses (schemas/wireplay.routes.schema.json) and stay free of runtime
// dependencies. A schema that uses any other validation keyword is refused when
// the validator is built, so the two can never silently disagree.
//
// Supported: $ref (local, "#/definitions/…"), type, enum, const, minimum, maximum,
// minLength, minItems, pattern, properties, additionalProperties, required,
// propertyNames, items (one schema), allOf, anyOf, not, if/then/else.
// Annotations (title, description, markdownDescription, default, examples,
// defaultSnippets, $comment, …) are ignored.
//
// Messages come from the schema, with VS Code's keywords: a node's `errorMessage`
// replaces the generic message of its own failures (type, enum, const, bounds,
// not, anyOf), `patternErrorMessage` that of a failed pattern. A failed pattern
// names the string first (`"no-slash" must start with '/'`), so the message
// reads after the value. `required` and `additionalProperties: false` name the
// key. Where a failure is reported:
// - `not` over `required` (two keys that exclude each other) points at the
//   last of those keys the object has: the one to remove;
// - `anyOf` reports the errors of the one branch whose type fits the value,
//   else its own message.

export interface SchemaError {
  /** JSON Pointer of the value the message is about (what the message's label names). */
  pointer: string;
  /** JSON Pointer of the place to show: the value itself, or the key to remove. */
  at: string;
  keyword: string;
  message: string;
}

export type JsonSchema = boolean | SchemaNode;

export interface SchemaNode {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  minItems?: number;
  pattern?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema;
  required?: string[];
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  allOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  not?: JsonSchema;
  if?: JsonSchema;
  then?: JsonSchema;
  else?: JsonSchema;
  definitions?: Record<string, JsonSchema>;
  errorMessage?: string;
  patternErrorMessage?: string;
  [annotation: string]: unknown;
}

const VALIDATION_KEYWORDS = new Set([
  '$ref', 'type', 'enum', 'const', 'minimum', 'maximum', 'minLength', 'minItems', 'pattern', 'properties',
  'additionalProperties', 'required', 'propertyNames', 'items', 'allOf', 'anyOf', 'not', 'if', 'then', 'else', 'definitions',
]);
const ANNOTATIONS = new Set([
  '$schema', '$id', '$comment', 'title', 'description', 'markdownDescription', 'default', 'examples', 'defaultSnippets',
  'errorMessage', 'patternErrorMessage', 'deprecationMessage', 'doNotSuggest',
]);

export class SchemaUnsupportedError extends Error {
  override readonly name = 'SchemaUnsupportedError';
}

/** The JSON type of a value as the schema's `type` names it ('integer' is also a 'number'). */
function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeFits(types: string | string[] | undefined, value: unknown): boolean {
  if (types === undefined) return true;
  const t = typeOf(value);
  const list = typeof types === 'string' ? [types] : types;
  return list.includes(t) || (t === 'integer' && list.includes('number'));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Where a value is, as a chain of keys: the JSON Pointer is only spelled out for an error. */
type Path = { parent: Path; key: string } | undefined;

function pointerOf(path: Path): string {
  let out = '';
  for (let p = path; p; p = p.parent) out = `/${escapePointer(p.key)}${out}`;
  return out;
}

const child = (parent: Path, key: string | number): Path => ({ parent, key: String(key) });

/** A string for a message: quoted, cut short when long. */
function quote(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}…"` : text;
}

export class SchemaValidator {
  private readonly patterns = new Map<string, RegExp>();

  constructor(private readonly root: SchemaNode) {
    this.check(root, '#');
  }

  /** Every error of `value` against the schema at `ref` (default: the root). Empty when valid. */
  validate(value: unknown, ref = '#'): SchemaError[] {
    return this.errorsOf(this.resolve(ref), value);
  }

  // ---- building: refuse what this validator does not implement

  private check(schema: JsonSchema, where: string): void {
    if (typeof schema === 'boolean') return;
    for (const [k, v] of Object.entries(schema)) {
      if (!VALIDATION_KEYWORDS.has(k) && !ANNOTATIONS.has(k)) throw new SchemaUnsupportedError(`${where}: keyword "${k}" is not supported by the routes schema validator`);
      if (k === 'pattern') this.patterns.set(v as string, new RegExp(v as string, 'u'));
      if (k === '$ref') this.resolve(v as string);
    }
    for (const k of ['properties', 'definitions'] as const) for (const [name, s] of Object.entries(schema[k] ?? {})) this.check(s, `${where}/${k}/${name}`);
    for (const k of ['allOf', 'anyOf'] as const) schema[k]?.forEach((s, i) => this.check(s, `${where}/${k}/${i}`));
    for (const k of ['additionalProperties', 'propertyNames', 'items', 'not', 'if', 'then', 'else'] as const) {
      const s = schema[k];
      if (s !== undefined) this.check(s, `${where}/${k}`);
    }
  }

  private readonly refs = new Map<string, JsonSchema>();

  private resolve(ref: string): JsonSchema {
    const known = this.refs.get(ref);
    if (known !== undefined) return known;
    const m = /^#\/definitions\/([^/]+)$/.exec(ref);
    const target = ref === '#' ? this.root : m ? this.root.definitions?.[m[1]] : undefined;
    if (target === undefined) throw new SchemaUnsupportedError(`$ref ${ref}: only "#/definitions/NAME" of this schema is supported`);
    this.refs.set(ref, target);
    return target;
  }

  private deref(schema: JsonSchema): JsonSchema {
    while (typeof schema !== 'boolean' && schema.$ref !== undefined) schema = this.resolve(schema.$ref);
    return schema;
  }

  // ---- validation
  //
  // visit() walks a value against a schema. With a list to fill it reports every
  // failure with its place and message; with null it only answers whether the value
  // passes (for not, if and anyOf), stopping at the first failure and building nothing.

  private errorsOf(schema: JsonSchema, value: unknown): SchemaError[] {
    const errors: SchemaError[] = [];
    this.visit(schema, value, undefined, errors);
    return errors;
  }

  private passes(schema: JsonSchema, value: unknown): boolean {
    return this.visit(schema, value, undefined, null);
  }

  /** False when the value fails (with `errors`: after recording every failure). */
  private visit(schema: JsonSchema, value: unknown, path: Path, errors: SchemaError[] | null): boolean {
    schema = this.deref(schema);
    if (schema === true) return true;
    if (schema === false) {
      errors?.push({ pointer: pointerOf(path), at: pointerOf(path), keyword: 'false', message: 'is not allowed here' });
      return false;
    }
    const s = schema;
    let ok = true;
    // Records a failure; true means "stop here" (only answering whether it passes).
    const fail = (keyword: string, generic: () => string, at: Path = path): boolean => {
      ok = false;
      if (!errors) return true;
      errors.push({ pointer: pointerOf(path), at: pointerOf(at), keyword, message: s.errorMessage ?? generic() });
      return false;
    };

    if (!typeFits(s.type, value)) {
      const types = typeof s.type === 'string' ? [s.type] : s.type!;
      fail('type', () => `must be ${types.map((t) => (t === 'array' ? 'a list' : t === 'object' ? 'an object' : `a ${t}`)).join(' or ')}`);
      return false;
    }
    if (s.enum && !s.enum.some((e) => deepEqual(e, value)) && fail('enum', () => `must be one of ${s.enum!.map((e) => JSON.stringify(e)).join(', ')}`)) return false;
    if ('const' in s && !deepEqual(s.const, value) && fail('const', () => `must be ${JSON.stringify(s.const)}`)) return false;

    if (typeof value === 'number') {
      if (s.minimum !== undefined && value < s.minimum && fail('minimum', () => `must be at least ${s.minimum}`)) return false;
      if (s.maximum !== undefined && value > s.maximum && fail('maximum', () => `must be at most ${s.maximum}`)) return false;
    }
    if (typeof value === 'string') {
      // Length in code points, as JSON Schema counts it.
      if (s.minLength !== undefined && [...value].length < s.minLength && fail('minLength', () => `must have at least ${s.minLength} character(s)`)) return false;
      if (s.pattern !== undefined && !this.patterns.get(s.pattern)!.test(value)) {
        ok = false;
        if (!errors) return false;
        const pointer = pointerOf(path);
        errors.push({ pointer, at: pointer, keyword: 'pattern', message: `${quote(value)} ${s.patternErrorMessage ?? s.errorMessage ?? `does not match ${s.pattern}`}` });
      }
    }
    if (Array.isArray(value)) {
      if (s.minItems !== undefined && value.length < s.minItems && fail('minItems', () => `must have at least ${s.minItems} item(s)`)) return false;
      if (s.items !== undefined) {
        for (let i = 0; i < value.length; i++) {
          if (!this.visit(s.items, value[i], errors ? child(path, i) : undefined, errors)) {
            ok = false;
            if (!errors) return false;
          }
        }
      }
    }
    if (isObject(value) && !this.visitObject(s, value, path, errors)) {
      ok = false;
      if (!errors) return false;
    }
    if (s.allOf) {
      for (const sub of s.allOf) {
        if (!this.visit(sub, value, path, errors)) {
          ok = false;
          if (!errors) return false;
        }
      }
    }
    if (s.anyOf && !this.visitAnyOf(s, value, path, errors)) {
      ok = false;
      if (!errors) return false;
    }
    if (s.not !== undefined && this.passes(s.not, value) && fail('not', () => 'is not allowed here', errors ? this.notLocation(s.not!, value, path) : path)) return false;
    if (s.if !== undefined) {
      const branch = this.passes(s.if, value) ? s.then : s.else;
      if (branch !== undefined && !this.visit(branch, value, path, errors)) ok = false;
    }
    return ok;
  }

  private visitObject(s: SchemaNode, value: Record<string, unknown>, path: Path, errors: SchemaError[] | null): boolean {
    let ok = true;
    if (s.required) {
      for (const name of s.required) {
        if (Object.prototype.hasOwnProperty.call(value, name)) continue;
        if (!errors) return false;
        ok = false;
        errors.push({ pointer: pointerOf(path), at: pointerOf(path), keyword: 'required', message: `"${name}" is required` });
      }
    }
    if (s.properties === undefined && s.additionalProperties === undefined && s.propertyNames === undefined) return ok;
    const props = s.properties ?? {};
    for (const key in value) {
      if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
      const at = errors ? child(path, key) : undefined;
      if (s.propertyNames !== undefined) {
        if (!errors) {
          if (!this.passes(s.propertyNames, key)) return false;
        } else {
          // A bad name is reported at its property, under the object's label.
          for (const e of this.errorsOf(s.propertyNames, key)) {
            ok = false;
            errors.push({ ...e, pointer: pointerOf(path), at: pointerOf(at), keyword: `propertyNames/${e.keyword}` });
          }
        }
      }
      let valid = true;
      if (Object.prototype.hasOwnProperty.call(props, key)) valid = this.visit(props[key], value[key], at, errors);
      else if (s.additionalProperties === false) {
        valid = false;
        errors?.push({ pointer: pointerOf(path), at: pointerOf(at), keyword: 'additionalProperties', message: `unknown key "${key}" (allowed: ${Object.keys(props).join(', ')})` });
      } else if (s.additionalProperties !== undefined) valid = this.visit(s.additionalProperties, value[key], at, errors);
      if (!valid) {
        ok = false;
        if (!errors) return false;
      }
    }
    return ok;
  }

  private visitAnyOf(s: SchemaNode, value: unknown, path: Path, errors: SchemaError[] | null): boolean {
    const branches = s.anyOf!;
    if (branches.some((b) => this.passes(b, value))) return true;
    if (!errors) return false;
    const fitting = branches.filter((b) => {
      const d = this.deref(b);
      return typeof d === 'boolean' ? d : typeFits(d.type, value);
    });
    if (fitting.length === 1) this.visit(fitting[0], value, path, errors);
    else errors.push({ pointer: pointerOf(path), at: pointerOf(path), keyword: 'anyOf', message: s.errorMessage ?? 'does not match any of the allowed forms' });
    return false;
  }

  /** Where a failed `not` points: the last key its `required` lists (directly or in a branch) that the object has. */
  private notLocation(schema: JsonSchema, value: unknown, path: Path): Path {
    const d = this.deref(schema);
    if (typeof d === 'boolean' || !isObject(value)) return path;
    const names = [...(d.required ?? [])];
    for (const b of [...(d.anyOf ?? []), ...(d.allOf ?? [])]) {
      const bd = this.deref(b);
      if (typeof bd !== 'boolean') names.push(...(bd.required ?? []));
    }
    const present = names.filter((n) => Object.prototype.hasOwnProperty.call(value, n));
    return present.length ? child(path, present[present.length - 1]) : path;
  }
}
