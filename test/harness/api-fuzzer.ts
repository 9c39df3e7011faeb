import { spawn } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureSchemathesis } from '@meterline/local-stack';

/**
 * What the fuzzer checks on every response (schemathesis 4 check names): no 5xx; a documented
 * status, media type, headers and body schema; invalid input refused; a missing or ignored
 * API key refused. Left out: positive_data_acceptance (a schema-valid cursor the API did not
 * make, or a filter the measurement has no tag for, is rightly a 400: those rules are not in
 * the schema) and unsupported_method (an undeclared method gets a 404 problem, not a 405).
 */
const FUZZ_CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_headers_conformance',
  'response_schema_conformance',
  'negative_data_rejection',
  'missing_required_header',
  'ignored_auth',
] as const;

export interface FuzzOptions {
  /** The OpenAPI document, a file. */
  openapi: string;
  /** Where the API answers, e.g. http://127.0.0.1:8080. */
  baseUrl: string;
  /** The API key sent as `Authorization: Bearer <secret>` with every request. */
  secret: string;
  seed: number;
  /** Test cases per operation and phase. */
  maxExamples: number;
  /** Reports and schemathesis' working directory (it may write there). */
  workDir: string;
  label: string;
  /** Operations not to run, by a regular expression on their path (schemathesis --exclude-path-regex): routes this API instance does not serve. */
  excludePathRegex?: string;
}

export interface FuzzRun {
  exitCode: number;
  /** The whole console report: the failing cases with their curl reproductions. */
  output: string;
  /** Its SUMMARY section: operations, phases, checks, test cases, seed. */
  summary: string;
  /** Operations and test cases, as the JUnit report counts them. */
  operations: number;
  testCases: number;
  /** Each failing operation's JUnit failure text. */
  failures: string[];
  command: string;
}

function run(command: string, args: readonly string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    // No colours and a fixed width: the output is read by people in a CI log.
    const child = spawn(command, args, { cwd, env: { ...process.env, NO_COLOR: '1', COLUMNS: '160' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, output: Buffer.concat(chunks).toString('utf8') }));
  });
}

const unescapeXml = (text: string): string =>
  text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&quot;', '"').replaceAll('&apos;', "'").replaceAll('&amp;', '&');

/**
 * Runs `schemathesis run` on the OpenAPI document against a running API: property-based
 * requests generated from every operation's schemas (examples, boundary values, random and
 * invalid inputs), each response checked for a 5xx and against its documented status,
 * media type and schema. Installs the pinned schemathesis first (a no-op once installed).
 */
export async function runApiFuzzer(options: FuzzOptions): Promise<FuzzRun> {
  const { bin, version } = await ensureSchemathesis();
  const reportDir = join(options.workDir, `fuzz-${options.label}`);
  await mkdir(reportDir, { recursive: true });
  const junit = join(reportDir, 'junit.xml');
  const args = [
    'run',
    options.openapi,
    '--url',
    options.baseUrl,
    '--header',
    `Authorization: Bearer ${options.secret}`,
    '--checks',
    FUZZ_CHECKS.join(','),
    '--phases',
    'examples,coverage,fuzzing',
    '--max-examples',
    String(options.maxExamples),
    '--seed',
    String(options.seed),
    // One worker: with two, which operation runs first varies, and so do the counts.
    '--workers',
    '1',
    '--request-timeout',
    '10',
    // Reproducible: nothing remembered from earlier runs, no generated Authorization.
    '--generation-database',
    'none',
    '--generation-with-security-parameters',
    'false',
    '--report',
    'junit',
    '--report-junit-path',
    junit,
    '--no-color',
    ...(options.excludePathRegex === undefined ? [] : ['--exclude-path-regex', options.excludePathRegex]),
  ];
  const { code, output } = await run(bin, args, reportDir);
  const xml = await readFile(junit, 'utf8').catch(() => '');
  // One JUnit testcase per operation.
  const operations = (xml.match(/<testcase\b/g) ?? []).length;
  const failures = [...xml.matchAll(/<(failure|error)\b([^>]*)>([\s\S]*?)<\/\1>/g)].map((m) => unescapeXml(m[3] ?? m[2] ?? ''));
  // schemathesis' summary: "Test cases: 1236 generated, 1236 passed, …".
  const testCases = Number(/(\d+) generated/.exec(output)?.[1] ?? Number.NaN);
  const command = `schemathesis ${version}: ${args.map((a) => (a.startsWith('Authorization:') ? "'Authorization: Bearer <key>'" : a)).join(' ')}`;
  const summary = output.slice(Math.max(0, output.lastIndexOf('SUMMARY'))).trim();
  return { exitCode: code, output, summary, operations, testCases, failures, command };
}
