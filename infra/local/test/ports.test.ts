import { describe, expect, it } from 'vitest';
import { freePort, freePorts } from '../src/ports.ts';

describe('freePorts', () => {
  it('hands out distinct ports, none of those given as taken', async () => {
    // Ports picked earlier and not yet bound are free to the kernel, which hands ports out in turn.
    const taken = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    const picked = await freePorts(20, taken);
    expect(new Set(picked).size).toBe(20);
    expect(picked.filter((p) => taken.includes(p))).toEqual([]);
  });
});
