import type { Enterprise } from '@meterline/domain';
import type { Principal } from './api-keys.ts';

/**
 * The tenant rule, in one place; every route asks it. An enterprise key reads only its own
 * enterprise; a regulator reads every enterprise whose region is in its jurisdiction and
 * never writes; an admin reads and writes everything.
 */
export interface AccessScope {
  mayRead(enterprise: Pick<Enterprise, 'id' | 'region'>): boolean;
  readonly mayWrite: boolean;
}

export function scopeFor(principal: Principal): AccessScope {
  switch (principal.role) {
    case 'admin':
      return { mayRead: () => true, mayWrite: true };
    case 'regulator': {
      const regions = new Set(principal.jurisdiction);
      return { mayRead: (e) => regions.has(e.region), mayWrite: false };
    }
    case 'enterprise':
      // Writes by enterprises (their own manifest) come with the registry upload; none exist yet.
      return { mayRead: (e) => e.id === principal.enterpriseId, mayWrite: false };
  }
}
