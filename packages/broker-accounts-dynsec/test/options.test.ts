import { describe, expect, it } from 'vitest';
import { isBrokerAccountsError } from '@meterline/broker-accounts';
import { validateOptions } from '../src/options.ts';

const valid = { url: 'mqtt://127.0.0.1:1883', username: 'meterline-api', password: 'secret' };

describe('validateOptions', () => {
  it('fills in the defaults and freezes the result', () => {
    const options = validateOptions(valid);
    expect(options).toMatchObject({ ...valid, commandTimeoutMs: 10_000, connectTimeoutMs: 10_000, reconnectPeriodMs: 1_000 });
    expect(options.clientId).toMatch(/^meterline-dynsec:[0-9a-f]{8}$/);
    expect(Object.isFrozen(options)).toBe(true);
  });

  it.each(['mqtt://h:1', 'mqtts://h:8883', 'ws://h/mqtt', 'wss://h/mqtt'])('accepts the URL %s', (url) => {
    expect(validateOptions({ ...valid, url }).url).toBe(url);
  });

  it('names every bad option at once', () => {
    let thrown: unknown;
    try {
      validateOptions({ url: 'tcp://h:1', username: '', password: '', clientId: '', commandTimeoutMs: -1, connectTimeoutMs: 1.5, reconnectPeriodMs: 0 });
    } catch (error) {
      thrown = error;
    }
    expect(isBrokerAccountsError(thrown, 'MTL_BROKER_CONFIG_INVALID')).toBe(true);
    const message = (thrown as Error).message;
    for (const key of ['url', 'username', 'password', 'clientId', 'commandTimeoutMs', 'connectTimeoutMs', 'reconnectPeriodMs']) expect(message).toContain(`- ${key}:`);
  });
});
