import { assessLimitCompliance, monthUnitConsumption, type Enterprise, type EnterpriseFigures, type GradeAssessment, type LimitCompliance, type LimitStandards } from '@meterline/domain';
import { num, table } from './format-table.ts';

/** The compliance of an enterprise's period for the products its manifest maps to a limit standard. */
export interface PeriodLimitCompliance {
  enterprise: string;
  period: string;
  compliance: LimitCompliance[];
}

/**
 * Each mapped product's unit consumption of the period against its standard. The intensity
 * figures count electricity at its equivalent value (当量值), so grades stated on the equal value
 * get no verdict rather than a wrong one.
 */
export function periodLimitCompliance(enterprise: Enterprise, figures: EnterpriseFigures, standards: LimitStandards): PeriodLimitCompliance | null {
  const mappings = enterprise.products ?? [];
  if (mappings.length === 0) return null;
  const compliance = mappings.flatMap((m) => {
    // parseManifest checked every limitProduct against these standards.
    const product = standards.products.get(m.limitProduct);
    if (!product) return [];
    const intensity = figures.intensities.find((i) => i.product === m.product && i.siteId === (m.site ?? null)) ?? null;
    return [assessLimitCompliance(m, product, monthUnitConsumption(intensity, product, { electricity: 'equivalent' }))];
  });
  return { enterprise: figures.id, period: figures.period.key, compliance };
}

function grade(g: GradeAssessment): string {
  const value = g.value === null ? '—' : num(g.value, 1);
  const margin = g.margin === null ? '' : `, margin ${num(g.margin, 1)}`;
  const deciding = g.decidingExpandedUncertainty === null ? '' : `, decided at U ≤ ${num(g.decidingExpandedUncertainty, 2)}`;
  return `${value} ${g.verdict}${margin}${deciding}`;
}

/** One row per mapped product: unit consumption with U and the three grades with their verdicts. */
export function formatLimitCompliance(rows: readonly LimitCompliance[]): string {
  return table(
    ['product', 'site', 'standard', 'plant (binding grade)', 'unit consumption (U, k=2)', 'limit', 'access', 'advanced', 'issues'],
    rows.map((c) => [
      c.product, c.site ?? '—', c.standard.id, `${c.plant} (${c.bindingGrade}: ${c.verdict})`,
      c.unitConsumption ? `${num(c.unitConsumption.value, 2)} ± ${num(c.unitConsumption.expandedUncertainty, 2)} ${c.unitConsumption.unit}` : '—',
      ...c.grades.map(grade),
      c.issues.map((i) => i.code).join(' '),
    ]),
  );
}
