import { describe, expect, it } from 'vitest';
import { InMemoryDeviceAccounts, isBrokerAccountsError } from '../src/index.ts';
import { deviceAccountsContract } from './device-accounts-contract.ts';

const SERVICE = { username: 'meterline-monitor', password: 'monitor-secret' };

deviceAccountsContract('in-memory twin', () => {
  const accounts = new InMemoryDeviceAccounts({ otherAccounts: [SERVICE] });
  return Promise.resolve({ accounts, broker: accounts.broker, serviceAccount: SERVICE, close: () => accounts.close() });
});

describe('in-memory device accounts', () => {
  it('fails every call with a retryable MTL_BROKER_UNAVAILABLE while set unavailable, and works again after', async () => {
    const accounts = new InMemoryDeviceAccounts();
    const { password } = await accounts.create('gw-1');
    accounts.setAvailable(false);
    for (const call of [accounts.create('gw-2'), accounts.rotate('gw-1'), accounts.revoke('gw-1'), accounts.exists('gw-1')]) {
      const error: unknown = await call.catch((e: unknown) => e);
      expect(isBrokerAccountsError(error, 'MTL_BROKER_UNAVAILABLE')).toBe(true);
      expect((error as { canRetry: boolean }).canRetry).toBe(true);
    }
    accounts.setAvailable(true);
    expect(await accounts.exists('gw-1')).toBe(true);
    expect(await accounts.exists('gw-2')).toBe(false);
    expect((await accounts.broker.connect('gw-1', password)).kind).toBe('connected');
  });

  it('fails calls after close with MTL_BROKER_UNAVAILABLE', async () => {
    const accounts = new InMemoryDeviceAccounts();
    await accounts.close();
    const error: unknown = await accounts.create('gw-1').catch((e: unknown) => e);
    expect(isBrokerAccountsError(error, 'MTL_BROKER_UNAVAILABLE')).toBe(true);
  });

  it('lets a service account connect but publish nothing', async () => {
    const accounts = new InMemoryDeviceAccounts({ otherAccounts: [SERVICE] });
    const outcome = await accounts.broker.connect(SERVICE.username, SERVICE.password);
    if (outcome.kind !== 'connected') throw new Error('service account refused');
    expect(await outcome.connection.publish(`meterline/v1/${SERVICE.username}/readings`, 'x')).toBe('refused');
    expect(accounts.broker.delivered).toEqual([]);
  });
});
