import { randomUUID } from 'node:crypto';
import { BrokerAccountsError } from '@meterline/broker-accounts';

export interface DynsecDeviceAccountsOptions {
  /** The broker: `mqtt://host:port`, or `mqtts://` (TLS, verified against the system's CAs), `ws://`, `wss://`. */
  url: string;
  /** An account of the dynamic security plugin allowed to publish to and read `$CONTROL/dynamic-security/#`. */
  username: string;
  password: string;
  /** MQTT client id; a random `meterline-dynsec-…` by default (several API instances may connect at once). */
  clientId?: string;
  /** How long one call waits for the plugin's answer; the call then fails with MTL_BROKER_TIMEOUT. Default 10 000. */
  commandTimeoutMs?: number;
  /** How long a connection attempt may take. Default 10 000. */
  connectTimeoutMs?: number;
  /** Pause between reconnection attempts after the connection was lost. Default 1 000. */
  reconnectPeriodMs?: number;
}

export type ValidOptions = Readonly<Required<DynsecDeviceAccountsOptions>>;

const PROTOCOLS = new Set(['mqtt:', 'mqtts:', 'ws:', 'wss:']);

/** Checks every option once and returns them frozen, with defaults; MTL_BROKER_CONFIG_INVALID names every bad one. */
export function validateOptions(options: DynsecDeviceAccountsOptions): ValidOptions {
  const problems: string[] = [];
  let protocol: string | undefined;
  try {
    protocol = new URL(options.url).protocol;
  } catch {
    // Reported below with the other problems, all at once.
    protocol = undefined;
  }
  if (protocol === undefined || !PROTOCOLS.has(protocol)) problems.push(`url: ${JSON.stringify(options.url)} is not an mqtt://, mqtts://, ws:// or wss:// URL`);
  if (typeof options.username !== 'string' || options.username === '') problems.push('username: required');
  if (typeof options.password !== 'string' || options.password === '') problems.push('password: required');
  if (options.clientId !== undefined && (typeof options.clientId !== 'string' || options.clientId === '')) problems.push('clientId: must be a non-empty string');
  const positive = (key: 'commandTimeoutMs' | 'connectTimeoutMs' | 'reconnectPeriodMs', fallback: number): number => {
    const value = options[key] ?? fallback;
    if (!Number.isInteger(value) || value <= 0) problems.push(`${key}: ${JSON.stringify(value)} is not a positive integer of milliseconds`);
    return value;
  };
  const valid: ValidOptions = Object.freeze({
    url: options.url,
    username: options.username,
    password: options.password,
    // With a `:`, which no device id has: no device can claim it.
    clientId: options.clientId ?? `meterline-dynsec:${randomUUID().slice(0, 8)}`,
    commandTimeoutMs: positive('commandTimeoutMs', 10_000),
    connectTimeoutMs: positive('connectTimeoutMs', 10_000),
    reconnectPeriodMs: positive('reconnectPeriodMs', 1_000),
  });
  if (problems.length > 0) {
    throw new BrokerAccountsError('MTL_BROKER_CONFIG_INVALID', `dynamic security adapter options are not valid:\n- ${problems.join('\n- ')}`);
  }
  return valid;
}
