import type { Enterprise } from '@meterline/domain';
import type { Principal } from './api-keys.ts';

/**
 * What a write route changes: routes declare it in their config (`writes`); a write route
 * without one is for admins only. `alerting`: webhook subscriptions and silences; `registry`:
 * the enterprise's registry entry; `devices`: its devices' broker credentials; `manual-entries`:
 * the quantities it enters by hand (deliveries, stock, production, output value, value added);
 * `targets`: the dual-control targets of a region or of an enterprise in it.
 */
export type WriteKind = 'alerting' | 'registry' | 'devices' | 'manual-entries' | 'targets';

/**
 * The tenant rule, in one place; every route asks it. An enterprise key reads its own
 * enterprise and manages its own alerting (webhook subscriptions and silences), registry
 * entry and devices' broker credentials; a regulator reads every enterprise whose region is in
 * its jurisdiction, never sees subscriptions (their URLs are often credentials themselves) and
 * writes nothing but the dual-control targets of its regions and their enterprises; an admin
 * reads and writes everything. Targets are read by whom they bind: an enterprise reads its
 * own and its region's.
 */
export interface AccessScope {
  mayRead(enterprise: Pick<Enterprise, 'id' | 'region'>): boolean;
  /** May see and change the enterprise's webhook subscriptions and silences. */
  mayManageAlerting(enterprise: Pick<Enterprise, 'id' | 'region'>): boolean;
  /** May upload the enterprise's registry entry; by id, since the first upload makes the enterprise. */
  mayManageRegistry(enterpriseId: string): boolean;
  /** May issue, rotate and revoke the broker credentials of the enterprise's devices. */
  mayManageDevices(enterprise: Pick<Enterprise, 'id' | 'region'>): boolean;
  /** May record the enterprise's manual entries and their corrections (everyone who may read them may list them). */
  mayEnterManually(enterprise: Pick<Enterprise, 'id' | 'region'>): boolean;
  /** May set the dual-control targets of a region, or of an enterprise in it (`region`: the holder's region). */
  maySetTargets(region: string): boolean;
  /** May read the targets a region is held to; `regionOf` tells where an enterprise is (the registry). */
  mayReadRegionTargets(region: string, regionOf: (enterpriseId: string) => string | undefined): boolean;
  /** May make writes of this kind at all (undefined: a route that declared none). The authentication hook refuses the others before any route runs. */
  mayWrite(kind: WriteKind | undefined): boolean;
}

/** Named one by one: a kind added later is for admins until it is listed here. */
const ENTERPRISE_WRITES: ReadonlySet<WriteKind> = new Set(['alerting', 'registry', 'devices', 'manual-entries']);

export function scopeFor(principal: Principal): AccessScope {
  switch (principal.role) {
    case 'admin':
      return {
        mayRead: () => true,
        mayManageAlerting: () => true,
        mayManageRegistry: () => true,
        mayManageDevices: () => true,
        mayEnterManually: () => true,
        maySetTargets: () => true,
        mayReadRegionTargets: () => true,
        mayWrite: () => true,
      };
    case 'regulator': {
      const regions = new Set(principal.jurisdiction);
      return {
        mayRead: (e) => regions.has(e.region),
        mayManageAlerting: () => false,
        mayManageRegistry: () => false,
        mayManageDevices: () => false,
        mayEnterManually: () => false,
        maySetTargets: (region) => regions.has(region),
        mayReadRegionTargets: (region) => regions.has(region),
        mayWrite: (kind) => kind === 'targets',
      };
    }
    case 'enterprise': {
      const own = (e: Pick<Enterprise, 'id'>) => e.id === principal.enterpriseId;
      return {
        mayRead: own,
        mayManageAlerting: own,
        mayManageRegistry: (enterpriseId) => enterpriseId === principal.enterpriseId,
        mayManageDevices: own,
        mayEnterManually: own,
        maySetTargets: () => false,
        mayReadRegionTargets: (region, regionOf) => regionOf(principal.enterpriseId) === region,
        mayWrite: (kind) => kind !== undefined && ENTERPRISE_WRITES.has(kind),
      };
    }
  }
}
