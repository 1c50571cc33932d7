// Writes server-core/routes/schema/routes-schema.ts from wireplay.routes.schema.json,
// so server-core validates routes files with the schema VS Code uses without reading
// a file outside server-core at run time. Run it after editing the schema:
//   node schemas/build-schema-module.mjs
// test/unit/routes/routes-schema.test.ts fails while the two differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SCHEMA_FILE = join(root, 'schemas/wireplay.routes.schema.json');
export const MODULE_FILE = join(root, 'server-core/routes/schema/routes-schema.ts');

export function schemaModuleText(schemaText) {
  const schema = JSON.parse(schemaText);
  // One line: the JSON file is the one to read; this is its copy for the loader.
  return `// GENERATED from schemas/wireplay.routes.schema.json by \`node schemas/build-schema-module.mjs\`: edit the
// JSON file, then run that. The schema VS Code checks wireplay.routes.json with (contributes.jsonValidation),
// as a module for the loader's validator (json-schema.ts).
import type { SchemaNode } from './json-schema.js';

export const ROUTES_SCHEMA: SchemaNode = ${JSON.stringify(schema)};
`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(MODULE_FILE, schemaModuleText(readFileSync(SCHEMA_FILE, 'utf8')));
  console.log(`wrote ${MODULE_FILE}`);
}
