import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isBrokerAccountsError } from '../src/index.ts';
import type { BrokerAccountsErrorCode, BrokerProbe, DeviceAccounts, ProbeConnection } from '../src/index.ts';

export { mqttBrokerProbe } from './mqtt-broker-probe.ts';

/** What a DeviceAccounts implementation gives the contract suite. */
export interface AccountsUnderTest {
  accounts: DeviceAccounts;
  /** The broker the accounts live on, seen from outside (a real broker through MQTT). */
  broker: BrokerProbe;
  /** An account on that broker that is not a device's (a service account): provisioning must leave it alone. */
  serviceAccount: { username: string; password: string };
  close(): Promise<void>;
}

const newDeviceId = () => `ct-${randomUUID().slice(0, 12)}`;

async function failure(call: Promise<unknown>): Promise<{ code: BrokerAccountsErrorCode; canRetry: boolean }> {
  const error: unknown = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isBrokerAccountsError(error)) throw new Error(`expected a BrokerAccountsError, got ${String(error)}`, { cause: error });
  return { code: error.code, canRetry: error.canRetry };
}

/**
 * What the API relies on from DeviceAccounts, checked against every implementation: the
 * in-memory twin, and each real adapter on a real broker (the pattern of MQTT.js's abstract
 * store tests). The effect is checked from outside: devices connecting and publishing, and a
 * reader of every device topic seeing what got through.
 */
export function deviceAccountsContract(name: string, make: () => Promise<AccountsUnderTest>): void {
  describe(`device accounts contract: ${name}`, () => {
    let subject: AccountsUnderTest;
    const connections: ProbeConnection[] = [];

    beforeAll(async () => {
      subject = await make();
    });
    afterEach(async () => {
      for (const connection of connections.splice(0)) await connection.close();
    });
    afterAll(async () => {
      await subject.close();
    });

    /** Connects, expecting the broker to accept; the connection is closed after the test. */
    const connect = async (username: string, password: string): Promise<ProbeConnection> => {
      const outcome = await subject.broker.connect(username, password);
      if (outcome.kind !== 'connected') throw new Error(`the broker refused ${username}`);
      connections.push(outcome.connection);
      return outcome.connection;
    };
    const refused = async (username: string, password: string) => (await subject.broker.connect(username, password)).kind === 'refused';

    it('creates an account named after the device with a random password of at least 24 characters, different per device', async () => {
      const [a, b] = [newDeviceId(), newDeviceId()];
      expect(await subject.accounts.exists(a)).toBe(false);
      const first = await subject.accounts.create(a);
      const second = await subject.accounts.create(b);
      expect(first.username).toBe(a);
      expect(second.username).toBe(b);
      for (const { password } of [first, second]) {
        expect(password.length).toBeGreaterThanOrEqual(24);
        expect(password).toMatch(/^[A-Za-z0-9_-]+$/);
      }
      expect(first.password).not.toBe(second.password);
      expect(await subject.accounts.exists(a)).toBe(true);
      expect(await subject.accounts.exists(b)).toBe(true);
    });

    it('lets a created device connect and publish its readings and status, which reach a reader of every device topic', async () => {
      const id = newDeviceId();
      const { password } = await subject.accounts.create(id);
      const device = await connect(id, password);
      const reading = `reading-${randomUUID()}`;
      const status = `status-${randomUUID()}`;
      expect(await device.publish(`meterline/v1/${id}/readings`, reading)).toBe('accepted');
      expect(await device.publish(`meterline/v1/${id}/status`, status)).toBe('accepted');
      await subject.broker.waitForDelivery(status);
      const seen = subject.broker.delivered.filter((m) => m.payload === reading || m.payload === status);
      expect(seen).toEqual([
        { topic: `meterline/v1/${id}/readings`, payload: reading },
        { topic: `meterline/v1/${id}/status`, payload: status },
      ]);
    });

    it("refuses the device's publishes outside its own subtree, and none of them is delivered", async () => {
      const id = newDeviceId();
      const other = newDeviceId();
      await subject.accounts.create(other);
      const { password } = await subject.accounts.create(id);
      const device = await connect(id, password);
      const outside = [
        `meterline/v1/${other}/readings`,
        `meterline/v1/${other}/status`,
        // A longer id that starts with this one: the ACL matches whole topic levels, not prefixes.
        `meterline/v1/${id}0/readings`,
        // Under its own subtree but not its readings or status: nobody listens there (issue 13, defect 9).
        `meterline/v1/${id}/reading`,
        `meterline/v1/${id}/readings/x`,
        `meterline/v1/${id}/status/x`,
        `meterline/v1/${id}`,
        'meterline/v1',
        `meterline/v2/${id}/readings`,
        `elsewhere/${id}`,
      ];
      const sent: string[] = [];
      for (const topic of outside) {
        const payload = `outside-${randomUUID()}`;
        sent.push(payload);
        expect({ topic, outcome: await device.publish(topic, payload) }).toEqual({ topic, outcome: 'refused' });
      }
      // The same connection still publishes on its own topic; that message arrives after any refused one would have.
      const marker = `marker-${randomUUID()}`;
      expect(await device.publish(`meterline/v1/${id}/readings`, marker)).toBe('accepted');
      await subject.broker.waitForDelivery(marker);
      expect(subject.broker.delivered.filter((m) => sent.includes(m.payload))).toEqual([]);
    });

    it('refuses a wrong password and a device that was never created', async () => {
      const id = newDeviceId();
      const { password } = await subject.accounts.create(id);
      expect(await refused(id, `${password}x`)).toBe(true);
      expect(await refused(newDeviceId(), password)).toBe(true);
    });

    it('refuses to create an account that exists, and leaves its password as it was', async () => {
      const id = newDeviceId();
      const { password } = await subject.accounts.create(id);
      expect(await failure(subject.accounts.create(id))).toEqual({ code: 'MTL_BROKER_DEVICE_EXISTS', canRetry: false });
      await connect(id, password);
    });

    it('leaves a service account alone: not a device, cannot be created over, rotated or revoked', async () => {
      const { username, password } = subject.serviceAccount;
      expect(await subject.accounts.exists(username)).toBe(false);
      expect(await failure(subject.accounts.create(username))).toEqual({ code: 'MTL_BROKER_DEVICE_EXISTS', canRetry: false });
      expect(await failure(subject.accounts.rotate(username))).toEqual({ code: 'MTL_BROKER_DEVICE_UNKNOWN', canRetry: false });
      expect(await failure(subject.accounts.revoke(username))).toEqual({ code: 'MTL_BROKER_DEVICE_UNKNOWN', canRetry: false });
      await connect(username, password);
    });

    it('rotates: a new password that works, the old one refused, and the open connection dropped', async () => {
      const id = newDeviceId();
      const created = await subject.accounts.create(id);
      const before = await connect(id, created.password);
      const rotated = await subject.accounts.rotate(id);
      expect(rotated.username).toBe(id);
      expect(rotated.password).not.toBe(created.password);
      expect(rotated.password.length).toBeGreaterThanOrEqual(24);
      await before.dropped;
      expect(await refused(id, created.password)).toBe(true);
      const after = await connect(id, rotated.password);
      const marker = `rotated-${randomUUID()}`;
      expect(await after.publish(`meterline/v1/${id}/readings`, marker)).toBe('accepted');
      await subject.broker.waitForDelivery(marker);
      expect(await subject.accounts.exists(id)).toBe(true);
    });

    it('revokes: the device refused, its open connection dropped; it can be created again with a new password', async () => {
      const id = newDeviceId();
      const created = await subject.accounts.create(id);
      const open = await connect(id, created.password);
      await subject.accounts.revoke(id);
      await open.dropped;
      expect(await refused(id, created.password)).toBe(true);
      expect(await subject.accounts.exists(id)).toBe(false);
      expect(await failure(subject.accounts.rotate(id))).toEqual({ code: 'MTL_BROKER_DEVICE_UNKNOWN', canRetry: false });
      expect(await failure(subject.accounts.revoke(id))).toEqual({ code: 'MTL_BROKER_DEVICE_UNKNOWN', canRetry: false });

      const again = await subject.accounts.create(id);
      expect(again.password).not.toBe(created.password);
      expect(await refused(id, created.password)).toBe(true);
      const device = await connect(id, again.password);
      const marker = `recreated-${randomUUID()}`;
      expect(await device.publish(`meterline/v1/${id}/status`, marker)).toBe('accepted');
      await subject.broker.waitForDelivery(marker);
    });

    it('fails rotate and revoke of a device never created with MTL_BROKER_DEVICE_UNKNOWN', async () => {
      const id = newDeviceId();
      expect(await failure(subject.accounts.rotate(id))).toEqual({ code: 'MTL_BROKER_DEVICE_UNKNOWN', canRetry: false });
      expect(await failure(subject.accounts.revoke(id))).toEqual({ code: 'MTL_BROKER_DEVICE_UNKNOWN', canRetry: false });
      expect(await subject.accounts.exists(id)).toBe(false);
    });

    it.each(['', 'a/b', '+', '#', 'dev meter', '$SYS', '-leading-dash', 'x'.repeat(65), 'nul\u0000byte', 'ümlaut'])(
      'refuses the device id %j in every call',
      async (id) => {
        for (const call of [subject.accounts.create(id), subject.accounts.rotate(id), subject.accounts.revoke(id), subject.accounts.exists(id)]) {
          expect(await failure(call)).toEqual({ code: 'MTL_BROKER_DEVICE_ID_INVALID', canRetry: false });
        }
      },
    );

    it('provisions devices concurrently, each with its own working password', async () => {
      const ids = Array.from({ length: 10 }, newDeviceId);
      const created = await Promise.all(ids.map((id) => subject.accounts.create(id)));
      expect(new Set(created.map((c) => c.password)).size).toBe(ids.length);
      for (const [i, { username, password }] of created.entries()) {
        expect(username).toBe(ids[i]);
        await connect(username, password);
      }
      // One device's password does not open another's account.
      expect(await refused(ids[0]!, created[1]!.password)).toBe(true);
    });
  });
}
