import type { Enterprise } from '@meterline/domain';
import type { Principal } from './api-keys.ts';

/**
 * What a write route changes: routes declare it in their config (`writes`); a write route
 * without one is for admins only. `alerting`: webhook subscriptions and silences; `registry`:
 * the enterprise's registry entry; `devices`: its devices' broker credentials; `manual-entries`:
 * the quantities it enters by hand (deliveries, stock, production, output value, value added).
 */
export type WriteKind = 'alerting' | 'registry' | 'devices' | 'manual-entries';

/**
 * The tenant rule, in one place; every route asks it. An enterprise key reads its own
 * enterprise and manages its own alerting (webhook subscriptions and silences), registry
 * entry and devices' broker credentials; a regulator reads every enterprise whose region is in
 * its jurisdiction, never sees subscriptions (their URLs are often credentials themselves) and
 * never writes; an admin reads and writes everything.
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
  /** May make writes of this kind at all (undefined: a route that declared none). The authentication hook refuses the others before any route runs. */
  mayWrite(kind: WriteKind | undefined): boolean;
}

/** Named one by one: a kind added later is for admins until it is listed here. */
const ENTERPRISE_WRITES: ReadonlySet<WriteKind> = new Set(['alerting', 'registry', 'devices', 'manual-entries']);

export function scopeFor(principal: Principal): AccessScope {
  switch (principal.role) {
    case 'admin':
      return { mayRead: () => true, mayManageAlerting: () => true, mayManageRegistry: () => true, mayManageDevices: () => true, mayEnterManually: () => true, mayWrite: () => true };
    case 'regulator': {
      const regions = new Set(principal.jurisdiction);
      return { mayRead: (e) => regions.has(e.region), mayManageAlerting: () => false, mayManageRegistry: () => false, mayManageDevices: () => false, mayEnterManually: () => false, mayWrite: () => false };
    }
    case 'enterprise': {
      const own = (e: Pick<Enterprise, 'id'>) => e.id === principal.enterpriseId;
      return {
        mayRead: own,
        mayManageAlerting: own,
        mayManageRegistry: (enterpriseId) => enterpriseId === principal.enterpriseId,
        mayManageDevices: own,
        mayEnterManually: own,
        mayWrite: (kind) => kind !== undefined && ENTERPRISE_WRITES.has(kind),
      };
    }
  }
}
