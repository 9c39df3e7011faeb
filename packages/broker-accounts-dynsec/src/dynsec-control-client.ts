import { randomUUID } from 'node:crypto';
import mqtt, { ErrorWithReasonCode, ErrorWithSubackPacket, type MqttClient } from 'mqtt';
import { BrokerAccountsError } from '@meterline/broker-accounts';
import { CONTROL_TOPIC, RESPONSE_TOPIC, encodeRequest, parseResponses } from './dynsec-protocol.ts';
import type { DynsecCommand, DynsecResponse } from './dynsec-protocol.ts';
import type { ValidOptions } from './options.ts';

/** MQTT 5 reason codes (MQTT 5.0 §2.4): 0x86 bad user name or password, 0x87 not authorised. */
const BAD_CREDENTIALS = 0x86;
const NOT_AUTHORIZED = 0x87;

interface Pending {
  readonly responses: (DynsecResponse | undefined)[];
  remaining: number;
  readonly resolve: (responses: DynsecResponse[]) => void;
  readonly reject: (error: BrokerAccountsError) => void;
  readonly timer: NodeJS.Timeout;
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** A refusal by the broker (CONNACK, PUBACK or SUBACK reason code) as our error, or undefined when it is something else. */
function refusal(error: unknown, what: string): BrokerAccountsError | undefined {
  const code = error instanceof ErrorWithReasonCode ? error.code : undefined;
  if (code !== BAD_CREDENTIALS && code !== NOT_AUTHORIZED) return undefined;
  return new BrokerAccountsError('MTL_BROKER_NOT_AUTHORIZED', `the broker refused ${what} (MQTT reason code ${code})`, { cause: error });
}

/**
 * One MQTT 5 connection of the admin account: sends a request (one control message of one or
 * more commands) and waits for its responses. mqtt.js reconnects after a lost connection and the
 * response topic is subscribed again on each connect; calls in between fail fast as unavailable.
 */
export class DynsecControlClient {
  readonly #client: MqttClient;
  readonly #options: ValidOptions;
  readonly #pending = new Map<string, Pending>();
  /** Connected, and the broker granted the response subscription. */
  #ready = false;
  #closed = false;
  /** Set when the broker refused the response subscription: every call fails with it. */
  #refused: BrokerAccountsError | undefined;
  #lastError: unknown;

  private constructor(client: MqttClient, options: ValidOptions) {
    this.#client = client;
    this.#options = options;
  }

  /** Connects and subscribes; fails with MTL_BROKER_UNAVAILABLE or MTL_BROKER_NOT_AUTHORIZED instead of retrying. */
  static async connect(options: ValidOptions): Promise<DynsecControlClient> {
    const client = mqtt.connect(options.url, {
      protocolVersion: 5,
      clientId: options.clientId,
      username: options.username,
      password: options.password,
      clean: true,
      connectTimeout: options.connectTimeoutMs,
      reconnectPeriod: options.reconnectPeriodMs,
      // Subscribed by us on every connect, so we know when responses can arrive again.
      resubscribe: false,
    });
    const control = new DynsecControlClient(client, options);
    try {
      await control.#listen();
    } catch (error) {
      await client.endAsync(true);
      throw error;
    }
    return control;
  }

  /** Wires the client's events; resolves at the first time it is ready, rejects if the first connection fails. */
  #listen(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let first = true;
      const failFirst = (error: BrokerAccountsError): void => {
        if (!first) return;
        first = false;
        reject(error);
      };
      this.#client.on('message', (topic, payload) => {
        if (topic === RESPONSE_TOPIC) this.#onResponse(payload.toString('utf8'));
      });
      this.#client.on('error', (error) => {
        this.#lastError = error;
        const refused = refusal(error, `the admin account ${this.#options.username}`);
        // mqtt.js does not reconnect after a refused CONNACK (e.g. the admin password was changed): calls fail with it from now on.
        if (refused !== undefined && !first) this.#refused = refused;
        failFirst(refused ?? this.#unavailable(`cannot connect to ${this.#options.url}`));
      });
      this.#client.on('close', () => {
        this.#ready = false;
        this.#failAll(this.#unavailable('the connection to the broker was lost before it answered; the change may or may not have been made'));
        // mqtt.js would send every unacknowledged QoS 1 message again after reconnecting. Their
        // callers were just told the change may not have been made; running it later would change
        // an account behind their back (a password nobody was given). The only such messages are commands.
        for (const messageId of Object.keys(this.#client.outgoing)) this.#client.removeOutgoingMessage(Number(messageId));
        failFirst(this.#unavailable(`cannot connect to ${this.#options.url}`));
      });
      this.#client.on('connect', () => {
        this.#lastError = undefined;
        this.#client.subscribe(RESPONSE_TOPIC, { qos: 1 }, (error) => {
          // mqtt.js reports a SUBACK reason code of 0x80 or more (refused) as an error carrying the packet.
          const code = error instanceof ErrorWithSubackPacket ? error.packet.granted[0] : undefined;
          if (typeof code === 'number' && code >= 0x80) {
            this.#refused = new BrokerAccountsError(
              'MTL_BROKER_NOT_AUTHORIZED',
              `the broker refused the admin account ${this.#options.username} a subscription to ${RESPONSE_TOPIC} (MQTT reason code ${code}); its role needs subscribePattern and publishClientReceive on $CONTROL/dynamic-security/#`,
              { cause: error },
            );
            failFirst(this.#refused);
            return;
          }
          if (error !== null && error !== undefined) {
            this.#lastError = error;
            // The connection went away meanwhile: the next connect subscribes again.
            failFirst(this.#unavailable(`could not subscribe to ${RESPONSE_TOPIC}`));
            return;
          }
          this.#refused = undefined;
          this.#ready = true;
          if (first) {
            first = false;
            resolve();
          }
        });
      });
    });
  }

  /** Sends the commands as one control message (the plugin runs them back to back) and returns their responses in order. */
  request(commands: readonly DynsecCommand[]): Promise<DynsecResponse[]> {
    if (commands.length === 0) return Promise.resolve([]);
    if (this.#closed) return Promise.reject(new BrokerAccountsError('MTL_BROKER_UNAVAILABLE', 'the dynamic security client is closed'));
    if (this.#refused !== undefined) return Promise.reject(this.#refused);
    if (!this.#ready) return Promise.reject(this.#unavailable(`not connected to ${this.#options.url} (reconnecting)`));
    const requestId = randomUUID();
    return new Promise<DynsecResponse[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#settle(requestId)?.reject(
          new BrokerAccountsError(
            'MTL_BROKER_TIMEOUT',
            `no answer on ${RESPONSE_TOPIC} within ${this.#options.commandTimeoutMs} ms (is the dynamic security plugin loaded?); the change may or may not have been made`,
          ),
        );
      }, this.#options.commandTimeoutMs);
      this.#pending.set(requestId, { responses: commands.map(() => undefined), remaining: commands.length, resolve, reject, timer });
      this.#client.publish(CONTROL_TOPIC, encodeRequest(requestId, commands), { qos: 1 }, (error) => {
        if (error === undefined || error === null) return;
        this.#settle(requestId)?.reject(
          refusal(error, `the admin account ${this.#options.username} publishing to ${CONTROL_TOPIC}; its role needs publishClientSend there`) ??
            new BrokerAccountsError('MTL_BROKER_UNAVAILABLE', `the control message was not delivered: ${describe(error)}; the change may or may not have been made`, { cause: error }),
        );
      });
    });
  }

  #onResponse(payload: string): void {
    for (const { requestId, index, response } of parseResponses(payload) ?? []) {
      const pending = this.#pending.get(requestId);
      if (pending === undefined || index >= pending.responses.length || pending.responses[index] !== undefined) continue;
      pending.responses[index] = response;
      pending.remaining -= 1;
      if (pending.remaining === 0) this.#settle(requestId)?.resolve(pending.responses as DynsecResponse[]);
    }
  }

  /** Takes a request off the pending list (once): the caller settles it. */
  #settle(requestId: string): Pending | undefined {
    const pending = this.#pending.get(requestId);
    if (pending === undefined) return undefined;
    clearTimeout(pending.timer);
    this.#pending.delete(requestId);
    return pending;
  }

  #failAll(error: BrokerAccountsError): void {
    for (const requestId of [...this.#pending.keys()]) this.#settle(requestId)?.reject(error);
  }

  #unavailable(message: string): BrokerAccountsError {
    const cause = this.#lastError;
    return new BrokerAccountsError('MTL_BROKER_UNAVAILABLE', cause === undefined ? message : `${message}: ${describe(cause)}`, { cause });
  }

  /** Fails calls still waiting, and disconnects. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#failAll(new BrokerAccountsError('MTL_BROKER_UNAVAILABLE', 'the dynamic security client was closed before the broker answered; the change may or may not have been made'));
    // Graceful (DISCONNECT after the last acknowledgement) when connected; nothing to wait for otherwise.
    await this.#client.endAsync(!this.#ready);
  }
}
