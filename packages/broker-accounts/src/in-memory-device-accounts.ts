import { assertDeviceId, deviceMayPublish, generateDevicePassword } from './device-account.ts';
import { BrokerAccountsError } from './errors.ts';
import type { BrokerProbe, DeliveredMessage, ProbeConnectOutcome, ProbeConnection } from './broker-probe.ts';
import type { DeviceAccounts, DeviceCredentials } from './types.ts';

interface InMemoryAccount {
  readonly username: string;
  readonly password: string;
}

export interface InMemoryDeviceAccountsOptions {
  /**
   * Accounts that are not devices' (service accounts): they can connect, publish nothing, and
   * provisioning leaves them alone, as on the real broker.
   */
  readonly otherAccounts?: readonly InMemoryAccount[];
}

interface Account {
  password: string;
  device: boolean;
  connections: Set<InMemoryConnection>;
}

class InMemoryConnection implements ProbeConnection {
  readonly dropped: Promise<void>;
  #drop!: () => void;
  #open = true;

  constructor(
    private readonly broker: InMemoryBroker,
    readonly username: string,
  ) {
    this.dropped = new Promise((resolve) => (this.#drop = resolve));
  }

  async publish(topic: string, payload: string): Promise<'accepted' | 'refused'> {
    if (!this.#open) throw new Error(`in-memory connection of ${this.username} is closed`);
    return this.broker.publish(this.username, topic, payload);
  }

  /** The broker ends the connection. */
  drop(): void {
    this.#open = false;
    this.#drop();
  }

  async close(): Promise<void> {
    this.#open = false;
    this.broker.forget(this);
  }
}

/** The broker side of the twin: authentication and the device ACL, the way Mosquitto applies them. */
class InMemoryBroker implements BrokerProbe {
  readonly accounts = new Map<string, Account>();
  readonly delivered: DeliveredMessage[] = [];
  readonly #waiters: { payload: string; resolve: () => void }[] = [];

  async connect(username: string, password: string): Promise<ProbeConnectOutcome> {
    const account = this.accounts.get(username);
    if (account === undefined || account.password !== password) return { kind: 'refused' };
    const connection = new InMemoryConnection(this, username);
    account.connections.add(connection);
    return { kind: 'connected', connection };
  }

  publish(username: string, topic: string, payload: string): 'accepted' | 'refused' {
    const account = this.accounts.get(username);
    if (account === undefined || !account.device || !deviceMayPublish(username, topic)) return 'refused';
    this.delivered.push({ topic, payload });
    for (const waiter of this.#waiters.filter((w) => w.payload === payload)) {
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    return 'accepted';
  }

  waitForDelivery(payload: string): Promise<void> {
    if (this.delivered.some((m) => m.payload === payload)) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ payload, resolve }));
  }

  /** Ends every connection of the account, as the dynamic security plugin does on a password change or deletion. */
  dropAll(account: Account): void {
    for (const connection of account.connections) connection.drop();
    account.connections.clear();
  }

  forget(connection: InMemoryConnection): void {
    this.accounts.get(connection.username)?.connections.delete(connection);
  }

  async close(): Promise<void> {}
}

/**
 * DeviceAccounts without a broker, for unit tests of the API: device accounts in a map, with
 * `broker` showing their effect (who may connect, what they may publish) the way the real
 * broker does. Passes the same contract suite as the real adapters.
 */
export class InMemoryDeviceAccounts implements DeviceAccounts {
  readonly broker: BrokerProbe;
  readonly #broker = new InMemoryBroker();
  #available = true;
  #closed = false;

  constructor(options: InMemoryDeviceAccountsOptions = {}) {
    this.broker = this.#broker;
    for (const { username, password } of options.otherAccounts ?? []) {
      this.#broker.accounts.set(username, { password, device: false, connections: new Set() });
    }
  }

  /** While false, every call fails with MTL_BROKER_UNAVAILABLE (a broker outage, for tests of the caller). */
  setAvailable(available: boolean): void {
    this.#available = available;
  }

  async create(deviceId: string): Promise<DeviceCredentials> {
    this.#guard(deviceId);
    if (this.#broker.accounts.has(deviceId)) {
      throw new BrokerAccountsError('MTL_BROKER_DEVICE_EXISTS', `the broker already has an account named ${deviceId}`);
    }
    const password = generateDevicePassword();
    this.#broker.accounts.set(deviceId, { password, device: true, connections: new Set() });
    return { username: deviceId, password };
  }

  async rotate(deviceId: string): Promise<DeviceCredentials> {
    const account = this.#device(deviceId);
    account.password = generateDevicePassword();
    this.#broker.dropAll(account);
    return { username: deviceId, password: account.password };
  }

  async revoke(deviceId: string): Promise<void> {
    const account = this.#device(deviceId);
    this.#broker.accounts.delete(deviceId);
    this.#broker.dropAll(account);
  }

  async exists(deviceId: string): Promise<boolean> {
    this.#guard(deviceId);
    return this.#broker.accounts.get(deviceId)?.device === true;
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  #guard(deviceId: string): void {
    assertDeviceId(deviceId);
    if (this.#closed) throw new BrokerAccountsError('MTL_BROKER_UNAVAILABLE', 'device accounts are closed');
    if (!this.#available) throw new BrokerAccountsError('MTL_BROKER_UNAVAILABLE', 'the in-memory broker is set unavailable');
  }

  #device(deviceId: string): Account {
    this.#guard(deviceId);
    const account = this.#broker.accounts.get(deviceId);
    if (account === undefined || !account.device) {
      throw new BrokerAccountsError('MTL_BROKER_DEVICE_UNKNOWN', `the broker has no device account named ${deviceId}`);
    }
    return account;
  }
}
