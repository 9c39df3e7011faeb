import type { Enterprise } from '@meterline/domain';
import type { Principal } from './api-keys.ts';

/** What a write route changes: routes declare it in their config (`writes`); a write route without one is for admins only. */
export type WriteKind = 'alerting';

/**
 * The tenant rule, in one place; every route asks it. An enterprise key reads its own
 * enterprise and manages its own alerting (webhook subscriptions and silences); a regulator
 * reads every enterprise whose region is in its jurisdiction, never sees subscriptions (their
 * URLs are often credentials themselves) and never writes; an admin reads and writes everything.
 */
export interface AccessScope {
  mayRead(enterprise: Pick<Enterprise, 'id' | 'region'>): boolean;
  /** May see and change the enterprise's webhook subscriptions and silences. */
  mayManageAlerting(enterprise: Pick<Enterprise, 'id' | 'region'>): boolean;
  /** May make writes of this kind at all (undefined: a route that declared none). The authentication hook refuses the others before any route runs. */
  mayWrite(kind: WriteKind | undefined): boolean;
}

export function scopeFor(principal: Principal): AccessScope {
  switch (principal.role) {
    case 'admin':
      return { mayRead: () => true, mayManageAlerting: () => true, mayWrite: () => true };
    case 'regulator': {
      const regions = new Set(principal.jurisdiction);
      return { mayRead: (e) => regions.has(e.region), mayManageAlerting: () => false, mayWrite: () => false };
    }
    case 'enterprise': {
      const own = (e: Pick<Enterprise, 'id'>) => e.id === principal.enterpriseId;
      // Registry writes (their own manifest) come with the registry upload; none exist yet.
      return { mayRead: own, mayManageAlerting: own, mayWrite: (kind) => kind === 'alerting' };
    }
  }
}
