import { describe, expect, it } from 'vitest';
import { InFlightBudget } from '../src/in-flight-budget.ts';

describe('InFlightBudget', () => {
  it('is spent from its limit on, and calls back each waiter once when bytes given back bring it under', () => {
    const budget = new InFlightBudget(100);
    budget.take(60);
    expect(budget.spent()).toBe(false);
    budget.take(60);
    expect(budget.spent()).toBe(true);
    const resumed: string[] = [];
    budget.whenAvailable(() => resumed.push('a'));
    budget.whenAvailable(() => resumed.push('b'));
    budget.give(10);
    expect(resumed).toEqual([]);
    budget.give(50);
    expect(resumed).toEqual(['a', 'b']);
    budget.take(100);
    budget.give(100);
    expect(resumed).toEqual(['a', 'b']);
    expect(budget.usedBytes).toBe(60);
  });
});
