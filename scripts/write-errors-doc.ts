import { writeFileSync } from 'node:fs';
import { renderErrorsDoc } from './error-catalogues.ts';

writeFileSync(new URL('../docs/errors.md', import.meta.url), renderErrorsDoc());
