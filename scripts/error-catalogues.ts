/**
 * Every workspace's error catalogue, and docs/errors.md rendered from them
 * (`pnpm errors:doc` writes it; a unit test fails when it is stale or a code is missing).
 */
import type { ErrorCatalogue, ErrorEntry } from '@meterline/errors';
import { BROKER_ACCOUNTS_ERRORS } from '@meterline/broker-accounts';
import { BUS_ERRORS } from '@meterline/bus';
import { CONTRACTS_ERRORS } from '@meterline/contracts';
import { DOMAIN_ERRORS } from '@meterline/domain';
import { FEEDS_ERRORS } from '@meterline/feeds';
import { MINING_ERRORS } from '@meterline/mining';
import { STACK_ERRORS } from '@meterline/local-stack';
import { SERIES_ERRORS } from '@meterline/series';
import { SERVICE_KIT_ERRORS } from '@meterline/service-kit';
import { STORE_ERRORS } from '@meterline/store';
import { CLI_ERRORS } from '../packages/cli/src/command-io.ts';
import { EDGE_ERRORS } from '../services/edge/src/errors.ts';
import { ALERTER_ERRORS } from '../services/alerter/src/delivery/delivery-errors.ts';
import { API_ERRORS, API_INTERNAL_ERRORS } from '../services/api/src/errors.ts';
import { INGEST_ERRORS } from '../services/ingest/src/batching-publisher.ts';
import { WRITER_ERRORS } from '../services/writer/src/batch-hold.ts';

type AnyCatalogue = ErrorCatalogue<Record<string, ErrorEntry>>;

export const ERROR_CATALOGUES: readonly AnyCatalogue[] = [
  DOMAIN_ERRORS, CONTRACTS_ERRORS, BUS_ERRORS, STORE_ERRORS, SERVICE_KIT_ERRORS, FEEDS_ERRORS, SERIES_ERRORS, MINING_ERRORS, BROKER_ACCOUNTS_ERRORS, CLI_ERRORS,
  INGEST_ERRORS, WRITER_ERRORS, ALERTER_ERRORS, API_ERRORS, API_INTERNAL_ERRORS, EDGE_ERRORS, STACK_ERRORS,
];

const retryText = (retryable: ErrorEntry['retryable']): string => (retryable === 'per-instance' ? 'depends on the cause' : retryable ? 'yes' : 'no');
const cell = (text: string): string => text.replaceAll('|', '\\|');

/** docs/errors.md: one table per workspace, in the order above. */
export function renderErrorsDoc(catalogues: readonly AnyCatalogue[] = ERROR_CATALOGUES): string {
  const owners = [...new Set(catalogues.map((c) => c.owner))];
  const sections = owners.map((owner) => {
    const rows = catalogues
      .filter((c) => c.owner === owner)
      .flatMap((c) => c.codes.map((code) => [code, c.entries[code]!] as const))
      .map(([code, e]) => `| \`${code}\` | ${cell(e.meaning)} | ${retryText(e.retryable)} | ${e.httpStatus ?? ''} | ${e.exitCode ?? ''} |`);
    return [`## ${owner}`, '', '| code | meaning | retry can help | HTTP status | exit code |', '|---|---|---|---|---|', ...rows].join('\n');
  });
  return [
    '# Error codes',
    '',
    'Every error Meterline raises has a stable code: match on the code, never on the message.',
    '"Retry can help" says whether the same call may succeed later (an outage) or cannot (the input',
    "is wrong). The API answers its codes as problem details (RFC 9457) with the HTTP status shown;",
    "the CLI ends with the exit code shown. Generated from each workspace's catalogue",
    '(`errorCatalogue` in packages/errors) by `pnpm errors:doc`; do not edit by hand.',
    '',
    ...sections.flatMap((s) => [s, '']),
  ].join('\n');
}
