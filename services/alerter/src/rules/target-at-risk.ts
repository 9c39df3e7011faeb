import type { FigureV1 } from '@meterline/contracts';
import type { PeriodKind, TargetStatus } from '@meterline/domain';
import { FIGURE_DETAIL_FIELDS as D } from '@meterline/series';
import type { EnterpriseRules } from '../alerting-config.ts';
import type { Condition } from './condition.ts';

/** The aggregator judges dual-control targets as of each month. */
export const TARGET_PROGRESS_PERIOD = 'month' satisfies PeriodKind;

/**
 * The statuses of a target_progress figure (its `verdict`) and what each means to the alert:
 * at risk or exceeded hold it, on track closes it. `no-data` is no finding either way: months
 * without data cannot say the target is safe, nor that it is not.
 */
const HOLDING = new Set<string>(['at-risk', 'exceeded'] satisfies TargetStatus[]);
const CLOSING = 'on-track' satisfies TargetStatus;
const EXCEEDED = 'exceeded' satisfies TargetStatus;

/**
 * A dual-control target (total energy, energy intensity, total CO₂, carbon intensity) holds an
 * alert while its latest month's status is at risk or exceeded, one alert per (metric, basis);
 * a month on track closes it. The severity follows the status: `severity` while at risk,
 * `exceededSeverity` once exceeded. Value: the projection to the year's end; threshold: the
 * target's ceiling, both in the target's unit.
 */
export function targetAtRiskConditions(figure: FigureV1, rules: EnterpriseRules['targetAtRisk']): Condition[] {
  const { metric, basis } = figure.subject;
  const status = figure.detail[D.verdict];
  const ceiling = figure.detail[D.ceiling];
  if (!rules.enabled || figure.periodKind !== TARGET_PROGRESS_PERIOD || !metric || typeof status !== 'string') return [];
  if (!HOLDING.has(status) && status !== CLOSING) return [];
  const holds = HOLDING.has(status);
  return [
    {
      rule: 'target-at-risk',
      subject: { metric, ...(basis ? { basis } : {}) },
      holds,
      sinceMs: figure.startMs,
      asOfMs: figure.endMs,
      summary: targetSummary(figure, status),
      value: round(figure.value),
      ...(typeof ceiling === 'number' ? { threshold: round(ceiling) } : {}),
      unit: figure.unit,
      ...(holds ? { severity: status === EXCEEDED ? rules.exceededSeverity : rules.severity } : {}),
    },
  ];
}

/** E.g. "target energy-total (equivalent) 2026 at-risk as of 2026-05: projected 1030 ± 42 tce (k = 2) against the ceiling 1000 tce; to date 410 ± 8 tce over 5 month(s); rule: …". */
function targetSummary(figure: FigureV1, status: string): string {
  const { metric, basis } = figure.subject;
  const d = figure.detail;
  const num = (key: string) => (typeof d[key] === 'number' ? round(d[key]) : undefined);
  const [ceilingValue, toDateValue, toDateU] = [num(D.ceiling), num(D.toDate), num(D.toDateExpandedU)];
  const year = d[D.year] !== undefined ? ` ${d[D.year]}` : '';
  const ceiling = ceilingValue !== undefined ? ` against the ceiling ${ceilingValue} ${figure.unit}` : '';
  const toDate = toDateValue !== undefined ? `; to date ${toDateValue}${toDateU !== undefined ? ` ± ${toDateU}` : ''} ${figure.unit}` : '';
  const months = typeof d[D.months] === 'number' ? ` over ${d[D.months]} month(s)` : '';
  const rule = typeof d[D.statusRule] === 'string' ? `; rule: ${d[D.statusRule]}` : '';
  return `target ${metric}${basis ? ` (${basis})` : ''}${year} ${status} as of ${figure.periodKey}: projected ${round(figure.value)} ± ${round(figure.expandedUncertainty)} ${figure.unit} (k = 2)${ceiling}${toDate}${months}${rule}`;
}

const round = (x: number) => Math.round(x * 1000) / 1000;
