import { FIGURE_KINDS } from '@meterline/contracts';
import type { Enterprise, Period } from '@meterline/domain';
import { detectFabrication } from '@meterline/mining';
import { loadFabricationInputs, readPublishedFigures, type OnUnreadable } from '@meterline/series';
import { findingRows } from './fabrication-finding-rows.ts';
import { noJudgedChanges, publishJudged, type JudgedChanges, type JudgedDeps } from './publish-judged.ts';

export interface FabricationDeps extends JudgedDeps {
  onUnreadable: OnUnreadable;
}

export interface FabricationRequest {
  enterprise: Enterprise;
  registryVersion: string;
  factorSet: string;
  /** The closed month just accounted. */
  month: Period;
  now: number;
}

/**
 * Runs the fabrication detectors (packages/mining, docs/fabrication-detectors.md) over a closed
 * month once it is accounted: each metered point's stored quarter-hour consumption and readings'
 * instants of the month and its history days. A point is judged when it has quarter-hour figures
 * in the month; one without (its quarter-hours never computed) is left unjudged rather than
 * called clean. Each judged point gets one figure per detector, restated when a verdict moves.
 */
export async function judgeFabrication(deps: FabricationDeps, request: FabricationRequest): Promise<JudgedChanges> {
  const { enterprise, month } = request;
  const inputs = await loadFabricationInputs(deps.store, enterprise, month.key, deps.onUnreadable);
  const pointIds = inputs.points.filter((p) => p.increments.some((x) => x.start >= month.start && x.start < month.end)).map((p) => p.pointId);
  if (pointIds.length === 0) return noJudgedChanges();
  const rows = findingRows(detectFabrication(inputs), { enterpriseId: enterprise.id, month, registryVersion: request.registryVersion, pointIds, factorSet: request.factorSet });
  const published = await readPublishedFigures(deps.store, enterprise.id, { start: month.start, end: month.start + 1 }, ['month'], [FIGURE_KINDS.fabricationFinding]);
  return publishJudged(deps, enterprise.id, rows, published, request.now);
}
