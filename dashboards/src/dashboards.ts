// Every Meterline dashboard, built: what `pnpm dashboards:build` writes and the drift test compares.
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { baselinesAndIntegrity } from './baselines-and-integrity.ts';
import { numberPanels } from './common.ts';
import { dataQuality } from './data-quality.ts';
import { enterpriseEnergy } from './enterprise-energy.ts';
import { pipelineOperations } from './pipeline-operations.ts';
import { regulatorOverview } from './regulator-overview.ts';
import { targetsAndLimits } from './targets-and-limits.ts';

export function buildDashboards(): dashboard.Dashboard[] {
  return [regulatorOverview(), enterpriseEnergy(), dataQuality(), targetsAndLimits(), baselinesAndIntegrity(), pipelineOperations()].map((builder) => numberPanels(builder.build()));
}

/** The provisioned file of a dashboard: `build/<uid>.json`. */
export const dashboardFile = (built: dashboard.Dashboard): string => `${built.uid}.json`;

/** The file's text: stable key order (as built), two-space indent, final newline. */
export const dashboardJson = (built: dashboard.Dashboard): string => `${JSON.stringify(built, null, 2)}\n`;
