// Writes services/api/openapi.json from the route schemas; a unit test fails when the committed file differs.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OPENAPI_FILE, openApiDocument } from './openapi-document.ts';

const root = join(import.meta.dirname, '..', '..', '..');
await writeFile(join(root, OPENAPI_FILE), await openApiDocument());
console.log(`wrote ${OPENAPI_FILE}`);
