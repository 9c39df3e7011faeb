import type { Carrier } from '../carriers.ts';
import type { DomainErrorCode } from '../errors.ts';
import { parseInstant } from '../calendar/instant.ts';
import { ID_PATTERN, type Enterprise } from '../registry/manifest-schema.ts';
import { unitDimension } from '../units.ts';

/**
 * Quantities an enterprise enters by hand because nothing meters them online: fuel bought in
 * batches and kept in stock, production output, industrial output value and value added (the
 * national online monitoring system: "quantities not collected online are entered by hand, and
 * monthly report data is filed", NDRC/AQSIQ notice 2017 No. 1711); and a day's mean outdoor
 * temperature from a weather station, which energy baselines turn into degree days (issue 20)
 * and the accounting never uses.
 */
export const MANUAL_ENTRY_KINDS = ['fuel-delivery', 'fuel-stock', 'production', 'output-value', 'value-added', 'outdoor-temperature'] as const;
export type ManualEntryKind = (typeof MANUAL_ENTRY_KINDS)[number];

/** The kinds that concern a fuel (a carrier, a mass). */
export const FUEL_ENTRY_KINDS: ReadonlySet<ManualEntryKind> = new Set(['fuel-delivery', 'fuel-stock']);
/** The kinds no figure of the accounting reads: entering or correcting one restates nothing. */
export const UNACCOUNTED_ENTRY_KINDS: ReadonlySet<ManualEntryKind> = new Set(['outdoor-temperature']);
/** A day's mean outdoor temperature, in °C, within the records measured on Earth (−89.2 °C, 56.7 °C): beyond is a typo or °F. */
const OUTDOOR_TEMPERATURE = Object.freeze({ unit: '°C', min: -90, max: 60 } as const);
/** The kinds booked in money (industrial output value, value added). */
const MONEY_ENTRY_KINDS: ReadonlySet<ManualEntryKind> = new Set(['output-value', 'value-added']);

/**
 * Fuels bought in batches and kept in stock: the solid and liquid fuels, accounted by mass
 * because GB/T 2589-2020 and GB/T 32150 give their coefficients per kg or t. Piped gases and
 * electricity are metered, never stocked.
 */
export const STOCKED_FUELS = ['raw-coal', 'washed-coal', 'coke', 'crude-oil', 'fuel-oil', 'gasoline', 'kerosene', 'diesel', 'lpg'] as const satisfies readonly Carrier[];

/** Money units of output value and value added, by their size in CNY: the statistics report in 10^4 CNY (万元). */
export const MONEY_UNITS: Readonly<Record<string, number>> = Object.freeze({ CNY: 1, '10^4 CNY': 1e4 });
/** The unit intensities per output value or value added are given in (tce per 10 000 CNY). */
export const MONEY_REPORTING_UNIT = '10^4 CNY';

/** What a person enters: the quantity, the period it refers to and the document it comes from. */
export interface ManualEntryDraft {
  kind: ManualEntryKind;
  /**
   * The local calendar month (YYYY-MM) or day (YYYY-MM-DD), in the enterprise's time zone, the
   * entry refers to. A stock is the closing stock at the END of that month or day.
   */
  period: string;
  /** A site of the enterprise; fuels need one unless the enterprise has a single site. */
  site?: string;
  /** Fuel kinds: one of STOCKED_FUELS. */
  carrier?: string;
  /** Production: the product, as the intensities name it. */
  product?: string;
  value: number;
  /** Fuels: a mass unit (kg, t); production: free text (t, pcs, m2); money: CNY or 10^4 CNY. */
  unit: string;
  /**
   * The entry's maximum error in percent, read like a meter's accuracy class (rectangular:
   * u = a/√3), e.g. a weighbridge's class or a tank dip's tolerance. Absent for a fuel: the
   * figure is flagged manual-uncertainty-unknown.
   */
  errorPercent?: number;
  /** Where the number comes from: a delivery note, an invoice, a stock-take sheet, a statistics form. */
  document: string;
  /** For a correction: the id of the entry it supersedes (the latest of its chain). */
  corrects?: string;
  /** For a correction: why. */
  reason?: string;
}

/** A recorded entry: append-only, never changed; a correction is a new entry that supersedes it. */
export interface ManualEntry extends ManualEntryDraft {
  id: string;
  enterpriseId: string;
  /** Who entered it (the API key's id, or the name an auditor's file gives). */
  enteredBy: string;
  /** When it was entered, ISO 8601 with offset. */
  enteredAt: string;
}

/** A problem with an entry, naming the field (the draft's member name). */
export interface ManualEntryIssue {
  field: keyof ManualEntry;
  code: Extract<DomainErrorCode, `MTL_DOMAIN_MANUAL_ENTRY_${string}`>;
  message: string;
}

const PERIOD = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/;
const ID = new RegExp(ID_PATTERN);
const MAX_TEXT = 200;

/** Years an entry may refer to: those whose instants every store and period calculation holds. */
const FIRST_YEAR = 1970;
const LAST_YEAR = 2199;

/** The last day (YYYY-MM-DD) of a YYYY-MM or YYYY-MM-DD period from 1970 to 2199, or undefined when it is no such calendar month or day. */
export function periodLastDay(period: string): string | undefined {
  const m = PERIOD.exec(period);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  if (month < 1 || month > 12 || year < FIRST_YEAR || year > LAST_YEAR) return undefined;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (m[3] === undefined) return `${m[1]}-${m[2]}-${String(days).padStart(2, '0')}`;
  const day = Number(m[3]);
  return day >= 1 && day <= days ? period : undefined;
}

/** The site an entry is booked to: its own, or the enterprise's only site. */
export function entrySite(entry: Pick<ManualEntryDraft, 'site'>, enterprise: Enterprise): string | undefined {
  return entry.site ?? (enterprise.sites.length === 1 ? enterprise.sites[0]!.id : undefined);
}

/**
 * What makes two entries the same fact, so that only a correction may state it again: a
 * stock at one instant, a product's output in a period, a period's output value or value added,
 * one delivery document of a fuel. Undefined for an entry too broken to have one.
 */
function entrySlot(entry: ManualEntryDraft, enterprise: Enterprise): string | undefined {
  const site = entrySite(entry, enterprise) ?? '';
  switch (entry.kind) {
    case 'fuel-stock':
      return `stock|${site}|${entry.carrier}|${periodLastDay(entry.period)}`;
    case 'fuel-delivery':
      return `delivery|${entry.carrier}|${entry.document.trim()}`;
    case 'production':
      return `production|${entry.site ?? ''}|${entry.product}|${entry.period}`;
    case 'output-value':
    case 'value-added':
      return `${entry.kind}|${entry.period}`;
    case 'outdoor-temperature':
      return `temperature|${entry.site ?? ''}|${entry.period}`;
  }
}

/** The id of the entry that supersedes each corrected entry. */
function supersessions(entries: readonly ManualEntry[]): Map<string, string> {
  const by = new Map<string, string>();
  for (const e of entries) if (e.corrects !== undefined && !by.has(e.corrects)) by.set(e.corrects, e.id);
  return by;
}

/** The entries that stand: those no other entry corrects (the latest of each chain). */
export function effectiveEntries(entries: readonly ManualEntry[]): ManualEntry[] {
  const superseded = supersessions(entries);
  return entries.filter((e) => !superseded.has(e.id));
}

/**
 * Checks an entry against its enterprise and the entries it already has (`existing`, in any
 * order). Returns every problem, each naming its field; none means the entry may be appended.
 */
export function checkManualEntry(entry: ManualEntry, enterprise: Enterprise, existing: readonly ManualEntry[]): ManualEntryIssue[] {
  const issues: ManualEntryIssue[] = [];
  const bad = (field: ManualEntryIssue['field'], message: string, code: ManualEntryIssue['code'] = 'MTL_DOMAIN_MANUAL_ENTRY_INVALID') => issues.push({ field, code, message });

  if (!ID.test(entry.id)) bad('id', `"${entry.id}" is not an id (letters, digits, ".", "_" or "-", at most 64 characters)`);
  else if (existing.some((e) => e.id === entry.id)) bad('id', `the enterprise already has an entry ${entry.id}`, 'MTL_DOMAIN_MANUAL_ENTRY_CONFLICT');
  if (entry.enterpriseId !== enterprise.id) bad('enterpriseId', `the entry is for ${entry.enterpriseId}, not ${enterprise.id}`);
  if (!(MANUAL_ENTRY_KINDS as readonly string[]).includes(entry.kind)) {
    bad('kind', `"${entry.kind}" is not a kind of manual entry (${MANUAL_ENTRY_KINDS.join(', ')})`);
    return issues;
  }
  if (periodLastDay(entry.period) === undefined) bad('period', `"${entry.period}" is not a calendar month YYYY-MM or day YYYY-MM-DD from ${FIRST_YEAR} to ${LAST_YEAR}`);
  if (parseInstant(entry.enteredAt) === undefined) bad('enteredAt', `"${entry.enteredAt}" is not an instant with offset`);
  if (entry.enteredBy.trim() === '' || entry.enteredBy.length > MAX_TEXT) bad('enteredBy', `who entered it must be named, in at most ${MAX_TEXT} characters`);
  if (entry.kind === 'outdoor-temperature') {
    const { min, max, unit } = OUTDOOR_TEMPERATURE;
    if (!Number.isFinite(entry.value) || entry.value < min || entry.value > max) bad('value', `expected a day's mean outdoor temperature from ${min} to ${max} ${unit}, got ${entry.value}`);
  } else if (!Number.isFinite(entry.value) || entry.value < 0) bad('value', `expected a number ≥ 0, got ${entry.value}`);
  if (entry.errorPercent !== undefined && !(Number.isFinite(entry.errorPercent) && entry.errorPercent > 0 && entry.errorPercent <= 100)) {
    bad('errorPercent', `expected a maximum error above 0 and at most 100 %, got ${entry.errorPercent}`);
  }
  if (entry.document.trim() === '' || entry.document.length > MAX_TEXT) bad('document', `a document reference (delivery note, invoice, stock-take sheet) is required, at most ${MAX_TEXT} characters`);
  if (entry.site !== undefined && !enterprise.sites.some((s) => s.id === entry.site)) bad('site', `the enterprise has no site "${entry.site}"`);

  if (FUEL_ENTRY_KINDS.has(entry.kind)) {
    if (entry.carrier === undefined || !(STOCKED_FUELS as readonly string[]).includes(entry.carrier)) {
      bad('carrier', `${entry.kind} needs a stocked fuel (${STOCKED_FUELS.join(', ')}), got ${entry.carrier === undefined ? 'none' : `"${entry.carrier}"`}`);
    }
    if (unitDimension(entry.unit) !== 'mass') bad('unit', `a fuel is entered by mass (kg or t), got "${entry.unit}"`);
    if (entry.site === undefined && enterprise.sites.length > 1) bad('site', `the enterprise has ${enterprise.sites.length} sites: name the one the fuel is delivered to or stocked at`);
    if (entry.product !== undefined) bad('product', `${entry.kind} has no product`);
  } else {
    if (entry.carrier !== undefined) bad('carrier', `${entry.kind} has no carrier`);
    if (entry.kind === 'production') {
      if (entry.product === undefined || entry.product.trim() === '' || entry.product.length > MAX_TEXT) bad('product', `production names its product, in at most ${MAX_TEXT} characters`);
      if (entry.unit.trim() === '' || entry.unit.length > 32) bad('unit', 'production gives its unit (t, pcs, m2, …), at most 32 characters');
    } else if (entry.kind === 'outdoor-temperature') {
      if (entry.unit !== OUTDOOR_TEMPERATURE.unit) bad('unit', `an outdoor temperature is entered in ${OUTDOOR_TEMPERATURE.unit}, got "${entry.unit}"`);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(entry.period)) bad('period', `an outdoor temperature is a day's mean: the period is a day YYYY-MM-DD, got "${entry.period}"`);
      if (entry.product !== undefined) bad('product', `${entry.kind} has no product`);
      if (entry.errorPercent !== undefined) bad('errorPercent', `${entry.kind} has no error in percent of its value (a temperature's zero is arbitrary)`);
    } else if (MONEY_ENTRY_KINDS.has(entry.kind)) {
      if (!Object.hasOwn(MONEY_UNITS, entry.unit)) bad('unit', `${entry.kind} is booked in ${Object.keys(MONEY_UNITS).join(' or ')}, got "${entry.unit}"`);
      if (entry.product !== undefined) bad('product', `${entry.kind} has no product`);
      if (entry.site !== undefined) bad('site', `${entry.kind} is the enterprise's, not a site's`);
    }
  }

  const corrected = entry.corrects === undefined ? undefined : existing.find((e) => e.id === entry.corrects);
  if (entry.corrects !== undefined) {
    if (entry.reason === undefined || entry.reason.trim() === '' || entry.reason.length > MAX_TEXT) bad('reason', `a correction says why, in at most ${MAX_TEXT} characters`);
    if (!corrected) {
      bad('corrects', `the enterprise has no entry ${entry.corrects}`, 'MTL_DOMAIN_MANUAL_ENTRY_UNKNOWN');
    } else {
      const by = supersessions(existing).get(corrected.id);
      if (by !== undefined) bad('corrects', `entry ${corrected.id} is already corrected by ${by}: correct ${by}, the latest of its chain`, 'MTL_DOMAIN_MANUAL_ENTRY_CONFLICT');
      if (corrected.kind !== entry.kind) bad('kind', `a correction keeps the kind of the entry it corrects (${corrected.kind})`);
    }
  } else if (entry.reason !== undefined) {
    bad('reason', 'a reason explains a correction: name the entry it corrects');
  }

  // The same fact stated twice would be counted twice (or silently pick one): only a correction may restate it.
  if (issues.length === 0) {
    const slot = entrySlot(entry, enterprise);
    const standing = effectiveEntries(existing).find((e) => e.id !== corrected?.id && entrySlot(e, enterprise) === slot);
    if (standing) {
      const what = entry.kind === 'fuel-delivery' ? `delivery document "${entry.document.trim()}" of ${entry.carrier}` : `the ${entry.kind} of ${entry.period}`;
      bad(entry.kind === 'fuel-delivery' ? 'document' : 'period', `entry ${standing.id} already records ${what}: correct it (corrects: ${standing.id}) instead`, 'MTL_DOMAIN_MANUAL_ENTRY_CONFLICT');
    }
  }
  return issues;
}

/** An entry and what became of it: superseded by a later correction, or standing. */
export interface ManualEntryRecord {
  entry: ManualEntry;
  supersededBy: string | null;
}

/**
 * Every entry, oldest first, each with the entry that supersedes it: the history as recorded.
 * Entries of one instant keep their chains in order (an entry before its correction), then ids.
 */
export function manualEntryHistory(entries: readonly ManualEntry[]): ManualEntryRecord[] {
  const by = supersessions(entries);
  const byId = new Map(entries.map((e) => [e.id, e]));
  const depth = (e: ManualEntry): number => {
    let n = 0;
    for (let c = e.corrects; c !== undefined && n <= entries.length; c = byId.get(c)?.corrects) n++;
    return n;
  };
  return [...entries]
    .sort((a, b) => (parseInstant(a.enteredAt) ?? 0) - (parseInstant(b.enteredAt) ?? 0) || depth(a) - depth(b) || a.id.localeCompare(b.id))
    .map((entry) => ({ entry, supersededBy: by.get(entry.id) ?? null }));
}

/**
 * The months (YYYY-MM) whose figures an entry can change: the month of its period and, for a
 * stock, also the month after (a month's closing stock is the next month's opening stock). A
 * correction changes those of the entry it corrects too (of the same kind). None for a kind
 * the accounting does not read.
 */
export function monthsBearingOn(entry: ManualEntry, corrected?: ManualEntry): string[] {
  const months = new Set<string>();
  if (UNACCOUNTED_ENTRY_KINDS.has(entry.kind)) return [];
  for (const e of corrected ? [entry, corrected] : [entry]) {
    const month = e.period.slice(0, 7);
    months.add(month);
    if (e.kind === 'fuel-stock') {
      const [y, m] = month.split('-').map(Number);
      months.add(m === 12 ? `${y! + 1}-01` : `${y}-${String(m! + 1).padStart(2, '0')}`);
    }
  }
  return [...months].sort();
}
