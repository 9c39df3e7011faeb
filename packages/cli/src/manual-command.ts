import type { ParseArgsConfig } from 'node:util';
import { optionTokens } from './option-tokens.ts';
import { EXIT_INPUT, EXIT_NO_PERMISSION, EXIT_OK, EXIT_UNAVAILABLE, EXIT_USAGE, type CommandIo } from './command-io.ts';

const MANUAL_USAGE = `usage: meterline manual add --api <url> --enterprise <id> --kind <kind> --period <YYYY-MM|YYYY-MM-DD>
                          --value <number> --unit <unit> --document <reference>
                          [--site <id>] [--carrier <fuel>] [--product <name>] [--error-percent <a>]
                          [--corrects <entry id> --reason <why>] [--help]`;

const MANUAL_HELP = `${MANUAL_USAGE}

Records a quantity that is not metered online through the API (POST /v1/enterprises/{id}/manual-entries):
who entered it is the API key, when is the server's time; the figures it changes are restated.

  --api <url>            the API's base URL, e.g. http://127.0.0.1:8080
  --enterprise <id>      the enterprise
  --kind <kind>          fuel-delivery, fuel-stock (closing stock at the end of the period),
                         production, output-value, value-added, or outdoor-temperature (a day's
                         mean from a weather station, for energy baselines' degree days)
  --period <key>         the local month YYYY-MM or day YYYY-MM-DD it refers to
  --value <number>       ≥ 0, in --unit; a temperature may be below 0: write --value=-3.5
  --unit <unit>          fuels: kg or t; production: its own; money: CNY or 10^4 CNY; temperature: °C
  --document <ref>       delivery note, invoice, stock-take sheet, statistics form, weather station
  --site <id>            the site (fuels, when the enterprise has several; a temperature's station)
  --carrier <fuel>       fuels: raw-coal, washed-coal, coke, crude-oil, fuel-oil, gasoline,
                         kerosene, diesel, lpg
  --product <name>       production: the product
  --error-percent <a>    the entry's maximum error in percent (u = a/√3)
  --corrects <id>        a correction: the entry it supersedes (the latest of its chain)
  --reason <why>         a correction: why

The API key is read from MTL_API_KEY (kept off the command line, where other users of the
machine can see it). Prints the recorded entry as JSON.

exit codes: 0 recorded, 64 bad arguments, 65 the API refused the entry (the problem is printed),
69 the API cannot be reached or failed, 77 the key is missing, unknown or may not do this`;

const OPTIONS = {
  api: { type: 'string' },
  enterprise: { type: 'string' },
  kind: { type: 'string' },
  period: { type: 'string' },
  value: { type: 'string' },
  unit: { type: 'string' },
  document: { type: 'string' },
  site: { type: 'string' },
  carrier: { type: 'string' },
  product: { type: 'string' },
  'error-percent': { type: 'string' },
  corrects: { type: 'string' },
  reason: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

type Name = keyof typeof OPTIONS;
const REQUIRED = ['api', 'enterprise', 'kind', 'period', 'value', 'unit', 'document'] as const;
/** Options passed to the API as they are; the API (and the domain behind it) judges them. */
const PASSED = ['kind', 'period', 'unit', 'document', 'site', 'carrier', 'product', 'corrects', 'reason'] as const;

/** What `manual add` needs from outside: the HTTP client and the environment (the API key). */
export interface ManualDeps {
  fetch: (url: string, init: { method: string; headers: Record<string, string>; body: string }) => Promise<{ status: number; text(): Promise<string> }>;
  env: Readonly<Record<string, string | undefined>>;
}

interface Problem {
  status?: number;
  code?: string;
  detail?: string;
  errors?: Array<{ pointer?: string; detail?: string }>;
}

/** The arguments as given, or every problem with them. */
function parse(argv: readonly string[]): { values: Partial<Record<Name, string>>; help: boolean; errors: string[] } {
  const tokens = optionTokens(argv, OPTIONS);
  const values: Partial<Record<Name, string>> = {};
  const errors: string[] = [];
  let help = false;
  for (const token of tokens) {
    if (token.kind === 'positional') errors.push(`unexpected argument "${token.value}"`);
    if (token.kind !== 'option') continue;
    if (!Object.hasOwn(OPTIONS, token.name)) {
      errors.push(`unknown option "${token.rawName}"`);
      continue;
    }
    const name = token.name as Name;
    if (name === 'help') {
      help = true;
      continue;
    }
    if (token.value === undefined) errors.push(`${token.rawName} needs a value`);
    else if (values[name] !== undefined) errors.push(`${token.rawName} is given twice`);
    else values[name] = token.value;
  }
  if (!help) for (const r of REQUIRED) if (values[r] === undefined && !errors.includes(`--${r} needs a value`)) errors.push(`--${r} is required`);
  if (values.value !== undefined && !Number.isFinite(Number(values.value))) errors.push(`--value must be a number, got "${values.value}"`);
  const error = values['error-percent'];
  if (error !== undefined && !Number.isFinite(Number(error))) errors.push(`--error-percent must be a number, got "${error}"`);
  if (values.api !== undefined && !/^https?:\/\/[^\s/]+/.test(values.api)) errors.push(`--api must be an http(s) URL, got "${values.api}"`);
  return { values, help, errors };
}

/** The problem the API answered, one line and one per field. */
function describeProblem(status: number, text: string): string {
  let problem: Problem = {};
  try {
    problem = JSON.parse(text) as Problem;
  } catch (error) {
    void error; // not JSON (a proxy's page): shown as the status and the start of the text
    return `HTTP ${status}: ${text.slice(0, 200)}`;
  }
  const fields = (problem.errors ?? []).map((e) => `\n  ${e.pointer ?? ''}: ${e.detail ?? ''}`).join('');
  return `HTTP ${status} ${problem.code ?? ''}: ${problem.detail ?? ''}${fields}`;
}

/** `meterline manual add …`: returns the exit code. */
export async function runManual(argv: readonly string[], io: CommandIo, deps: ManualDeps): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    io.stdout(`${MANUAL_HELP}\n`);
    return sub === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (sub !== 'add') {
    io.stderr(`meterline manual: unknown subcommand "${sub}"\n${MANUAL_USAGE}\n`);
    return EXIT_USAGE;
  }
  const { values, help, errors } = parse(rest);
  if (help) {
    io.stdout(`${MANUAL_HELP}\n`);
    return EXIT_OK;
  }
  if (errors.length > 0) {
    for (const e of errors) io.stderr(`meterline manual add: ${e}\n`);
    io.stderr(`${MANUAL_USAGE}\n`);
    return EXIT_USAGE;
  }
  const key = deps.env['MTL_API_KEY'];
  if (key === undefined || key === '') {
    io.stderr('meterline manual add: set MTL_API_KEY to the API key to record with\n');
    return EXIT_NO_PERMISSION;
  }
  const body: Record<string, string | number> = { value: Number(values.value) };
  for (const name of PASSED) if (values[name] !== undefined) body[name] = values[name];
  if (values['error-percent'] !== undefined) body['errorPercent'] = Number(values['error-percent']);
  const url = `${values.api!.replace(/\/+$/, '')}/v1/enterprises/${encodeURIComponent(values.enterprise!)}/manual-entries`;

  let response: { status: number; text: string };
  try {
    const r = await deps.fetch(url, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    response = { status: r.status, text: await r.text() };
  } catch (error) {
    io.stderr(`meterline manual add: the API at ${values.api} cannot be reached: ${(error as Error).message}\n`);
    return EXIT_UNAVAILABLE;
  }
  if (response.status === 201) {
    io.stdout(`${JSON.stringify(JSON.parse(response.text), null, 2)}\n`);
    return EXIT_OK;
  }
  io.stderr(`meterline manual add: ${describeProblem(response.status, response.text)}\n`);
  if (response.status === 401 || response.status === 403) return EXIT_NO_PERMISSION;
  return response.status >= 400 && response.status < 500 && response.status !== 429 ? EXIT_INPUT : EXIT_UNAVAILABLE;
}
