import type { DomainErrorCode } from '../errors.ts';
import { parseInstant } from '../calendar/instant.ts';
import { ID_PATTERN } from '../registry/manifest-schema.ts';

/**
 * Dual control (能耗双控, moving to carbon dual control): the yearly ceilings a region and
 * each key enterprise in it are held to. Total energy consumption and energy intensity
 * (tce per 10^4 CNY of value added), total CO2 and carbon intensity; a region or an
 * enterprise may have any subset of them for a year.
 */
export const TARGET_METRICS = ['energy-total', 'energy-intensity', 'co2-total', 'carbon-intensity'] as const;
export type TargetMetric = (typeof TARGET_METRICS)[number];

/** The unit each metric's ceiling and progress are stated in. */
export const TARGET_UNITS: Readonly<Record<TargetMetric, string>> = Object.freeze({
  'energy-total': 'tce',
  'energy-intensity': 'tce/10^4 CNY',
  'co2-total': 'tCO2',
  'carbon-intensity': 'tCO2/10^4 CNY',
});

/** The energy metrics count electricity at its equivalent value (当量值) or its equal value (等价值), as the target states. */
export const TARGET_BASES = ['equivalent', 'equal-value'] as const;
export type TargetBasis = (typeof TARGET_BASES)[number];
const ENERGY_METRICS: ReadonlySet<TargetMetric> = new Set(['energy-total', 'energy-intensity']);
const isEnergyMetric = (metric: TargetMetric): boolean => ENERGY_METRICS.has(metric);

/** Whom a target binds: a region (ISO 3166-2, as enterprises name theirs) or one enterprise. */
export type TargetHolder = { kind: 'region'; region: string } | { kind: 'enterprise'; enterpriseId: string };

/** What a regulator (or an admin) enters. */
export interface TargetDraft {
  holder: TargetHolder;
  /** The calendar year the ceiling is for (local years of the enterprises concerned). */
  year: number;
  metric: TargetMetric;
  /** Energy metrics only: the basis electricity is counted on. */
  basis?: TargetBasis;
  /** The ceiling for the whole year, in TARGET_UNITS[metric]: > 0. */
  value: number;
  /** The document that sets it (a provincial plan, a notice, an agreement). */
  document: string;
  /** Why a later target replaces an earlier one for the same holder, year and metric. */
  reason?: string;
}

/**
 * A recorded target: append-only. The latest entered for a (holder, year, metric, basis)
 * stands; the earlier ones stay as its history and are never changed.
 */
export interface Target extends TargetDraft {
  id: string;
  /** Who entered it (the API key's id). */
  enteredBy: string;
  /** When, ISO 8601 with offset. */
  enteredAt: string;
}

export interface TargetIssue {
  field: keyof Target;
  code: Extract<DomainErrorCode, `MTL_DOMAIN_TARGET_${string}`>;
  message: string;
}

const ID = new RegExp(ID_PATTERN);
const REGION = /^[A-Z]{2}-[A-Z0-9]{1,3}$/;
const MAX_TEXT = 200;
const FIRST_YEAR = 1970;
const LAST_YEAR = 2199;
/** No real ceiling is near these; a bigger one is a unit slip (kgce for tce, CNY for 10^4 CNY). */
const MAX_VALUE: Readonly<Record<TargetMetric, number>> = Object.freeze({
  'energy-total': 1e10,
  'energy-intensity': 1e3,
  'co2-total': 1e11,
  'carbon-intensity': 1e4,
});

/** The slot a target fills: a later target of the same slot supersedes the earlier. */
export const targetSlot = (t: Pick<TargetDraft, 'holder' | 'year' | 'metric' | 'basis'>): string =>
  `${t.holder.kind === 'region' ? `region:${t.holder.region}` : `enterprise:${t.holder.enterpriseId}`}|${t.year}|${t.metric}|${t.basis ?? ''}`;

/** Checks a target: every problem, each naming its field; none means it may be appended. */
export function checkTarget(target: Target, existing: readonly Target[]): TargetIssue[] {
  const issues: TargetIssue[] = [];
  const bad = (field: TargetIssue['field'], message: string, code: TargetIssue['code'] = 'MTL_DOMAIN_TARGET_INVALID') => issues.push({ field, code, message });
  if (!ID.test(target.id)) bad('id', `"${target.id}" is not an id`);
  else if (existing.some((t) => t.id === target.id)) bad('id', `a target ${target.id} exists already`, 'MTL_DOMAIN_TARGET_CONFLICT');
  const h = target.holder;
  if (h.kind === 'region' && !REGION.test(h.region)) bad('holder', `"${h.region}" is not an ISO 3166-2 subdivision such as CN-CQ`);
  if (h.kind === 'enterprise' && !ID.test(h.enterpriseId)) bad('holder', `"${h.enterpriseId}" is not an enterprise id`);
  if (!Number.isInteger(target.year) || target.year < FIRST_YEAR || target.year > LAST_YEAR) bad('year', `${target.year} is not a year from ${FIRST_YEAR} to ${LAST_YEAR}`);
  if (!(TARGET_METRICS as readonly string[]).includes(target.metric)) bad('metric', `"${target.metric}" is not one of ${TARGET_METRICS.join(', ')}`);
  else if (isEnergyMetric(target.metric) && target.basis === undefined) bad('basis', `an energy target states its basis: ${TARGET_BASES.join(' or ')}`);
  else if (!isEnergyMetric(target.metric) && target.basis !== undefined) bad('basis', `a ${target.metric} target has no electricity basis`);
  if (target.basis !== undefined && !(TARGET_BASES as readonly string[]).includes(target.basis)) bad('basis', `"${target.basis}" is not one of ${TARGET_BASES.join(', ')}`);
  const max = MAX_VALUE[target.metric];
  if (!Number.isFinite(target.value) || target.value <= 0) bad('value', `${target.value} is not a ceiling above 0`);
  else if (max !== undefined && target.value > max) bad('value', `${target.value} ${TARGET_UNITS[target.metric]} is beyond any real ceiling (at most ${max}): check the unit`);
  if (target.document.trim() === '' || target.document.length > MAX_TEXT) bad('document', `names the document that sets the target, 1 to ${MAX_TEXT} characters`);
  if (target.reason !== undefined && (target.reason.trim() === '' || target.reason.length > MAX_TEXT)) bad('reason', `1 to ${MAX_TEXT} characters`);
  if (parseInstant(target.enteredAt) === undefined) bad('enteredAt', `"${target.enteredAt}" is not an instant`);
  return issues;
}

/** A target with the one that superseded it (null while it stands). */
export interface TargetRecord {
  target: Target;
  supersededBy: string | null;
}

const enteredMs = (t: Target): number => parseInstant(t.enteredAt) ?? 0;

/** Every target, oldest first, each with the later target of its slot that superseded it. */
export function targetHistory(targets: readonly Target[]): TargetRecord[] {
  const sorted = [...targets].sort((a, b) => enteredMs(a) - enteredMs(b) || a.id.localeCompare(b.id));
  const next = new Map<string, string>();
  const latest = new Map<string, Target>();
  for (const t of sorted) {
    const before = latest.get(targetSlot(t));
    if (before) next.set(before.id, t.id);
    latest.set(targetSlot(t), t);
  }
  return sorted.map((target) => ({ target, supersededBy: next.get(target.id) ?? null }));
}

/** The targets that stand: the latest of each slot. */
export const standingTargets = (targets: readonly Target[]): Target[] =>
  targetHistory(targets)
    .filter((r) => r.supersededBy === null)
    .map((r) => r.target);
