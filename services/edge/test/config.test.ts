import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CONFIG_PATH_ENV, MQTT_PASSWORD_ENV, MQTT_PASSWORD_FILE_ENV, loadEdgeConfig, parseEdgeConfig } from '../src/config.ts';
import { EdgeError } from '../src/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'edge-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const modbus = {
  kind: 'modbus-tcp',
  id: 'incomer',
  host: '10.0.0.5',
  registers: [{ function: 'input', address: 0, type: 'float32', point: 'cq-e-main', quantity: 'active-energy-import', unit: 'kWh' }],
};
const dlt645 = {
  kind: 'dlt645-tcp',
  id: 'press',
  host: '10.0.0.6',
  port: 8899,
  address: '123456781012',
  dataIds: [{ dataId: '00010000', point: 'cq-e-press', quantity: 'active-energy-import', unit: 'kWh' }],
};
const minimal = { deviceId: 'cq-gw-01', mqtt: { url: 'mqtt://broker:1883' }, queue: { file: '/var/lib/meterline-edge/queue.db' }, meters: [modbus, dlt645] };
const env = { [MQTT_PASSWORD_ENV]: 's3cret' };

/** The problems an invalid config is refused with, one per line. */
function problems(document: unknown, environment: NodeJS.ProcessEnv = env): string[] {
  try {
    parseEdgeConfig(JSON.stringify(document), environment);
  } catch (error) {
    expect(error).toBeInstanceOf(EdgeError);
    expect((error as EdgeError).code).toBe('MTL_EDGE_CONFIG_INVALID');
    return (error as Error).message.split('\n').slice(1).map((l) => l.trim());
  }
  throw new Error('the config was accepted');
}

describe('parseEdgeConfig', () => {
  it('fills the defaults and freezes the result', () => {
    const config = parseEdgeConfig(JSON.stringify(minimal), env);
    expect(config.mqtt).toEqual({ url: 'mqtt://broker:1883', keepaliveSeconds: 30, ackTimeoutMs: 30_000, reconnectFirstMaxMs: 2_000, reconnectMaxMs: 60_000, holdAfterConnectMs: 5_000, password: 's3cret', ca: undefined });
    expect(config.queue).toEqual({ file: '/var/lib/meterline-edge/queue.db', messagesPerSecond: 10, bytesPerSecond: 32_768, maxReadingsPerPayload: 200 });
    expect(config.meters[0]).toMatchObject({ port: 502, unitId: 1, pollIntervalMs: 60_000, timeoutMs: 3_000, maxGap: 0, registers: [{ wordOrder: 'high-first', scale: 1 }] });
    expect(config.ops).toEqual({ host: '127.0.0.1', port: 9_470 });
    expect(config.signingKey).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('names every bad field by its JSON pointer, in each meter by the schema of its kind', () => {
    const bad = {
      ...minimal,
      mqtt: { url: 'http://broker' },
      meters: [
        { ...modbus, registers: [{ ...modbus.registers[0], type: 'float16', wordOrder: 'middle' }, { ...modbus.registers[0], point: 'cq-e-2', adress: 3 }] },
        { ...dlt645, address: '12345', dataIds: [{ ...dlt645.dataIds[0], dataId: '02010100' }] },
        { kind: 'iec-62056' },
      ],
    };
    const found = problems(bad);
    for (const expected of ['/mqtt/url', '/meters/0/registers/0/type', '/meters/0/registers/0/wordOrder', "/meters/0/registers/1: must NOT have additional properties 'adress'", '/meters/1/address', '/meters/1/dataIds/0/dataId', '/meters/2/kind']) {
      expect(found.some((line) => line.startsWith(expected)), `${expected} in ${found.join(' | ')}`).toBe(true);
    }
  });

  it('refuses a point read twice, a meter id used twice and a register past the address space', () => {
    const found = problems({
      ...minimal,
      meters: [
        { ...modbus, registers: [...modbus.registers, { ...modbus.registers[0], address: 65_535 }] },
        { ...dlt645, id: 'incomer', dataIds: [{ ...dlt645.dataIds[0], point: 'cq-e-main' }] },
      ],
    });
    expect(found).toContain('/meters/0/registers/1/point: "cq-e-main" is already read by /meters/0/registers/0');
    expect(found).toContain('/meters/0/registers/1/address: a float32 at 65535 runs past the last register (65535)');
    expect(found).toContain('/meters/1/id: "incomer" is also the id of /meters/0');
    expect(found).toContain('/meters/1/dataIds/0/point: "cq-e-main" is already read by /meters/0/registers/0');
  });

  it('never defaults the MQTT password: from the environment or a file, one of the two', () => {
    expect(problems(minimal, {})).toEqual([`${MQTT_PASSWORD_ENV} (or ${MQTT_PASSWORD_FILE_ENV}): the device's MQTT password is required`]);
    const file = join(dir, 'password');
    writeFileSync(file, 'from-a-file\n');
    expect(parseEdgeConfig(JSON.stringify(minimal), { [MQTT_PASSWORD_FILE_ENV]: file }).mqtt.password).toBe('from-a-file');
    expect(problems(minimal, { [MQTT_PASSWORD_FILE_ENV]: file, [MQTT_PASSWORD_ENV]: 'x' })[0]).toMatch(/set one of them, not both/);
    expect(problems(minimal, { [MQTT_PASSWORD_FILE_ENV]: join(dir, 'missing') })[0]).toMatch(/cannot read .*ENOENT/);
  });

  it('loads an Ed25519 signing key, and refuses another kind of key', () => {
    const ed = join(dir, 'device.pem');
    writeFileSync(ed, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
    expect(parseEdgeConfig(JSON.stringify({ ...minimal, signingKeyFile: ed }), env).signingKey?.asymmetricKeyType).toBe('ed25519');
    const ec = join(dir, 'ec.pem');
    writeFileSync(ec, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    expect(problems({ ...minimal, signingKeyFile: ec })).toEqual([`/signingKeyFile: ${ec} holds a ec key, not Ed25519`]);
  });

  it('reads the certificate authorities of an mqtts:// broker from caFile, and names a file that is not one', () => {
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    expect(parseEdgeConfig(JSON.stringify({ ...minimal, mqtt: { url: 'mqtts://broker:8883', caFile: ca } }), env).mqtt.ca?.toString()).toContain('BEGIN CERTIFICATE');
    const notCa = join(dir, 'not-ca.pem');
    writeFileSync(notCa, 'hello');
    expect(problems({ ...minimal, mqtt: { url: 'mqtts://broker:8883', caFile: notCa } })).toEqual([`/mqtt/caFile: ${notCa} holds no PEM certificate`]);
    expect(problems({ ...minimal, mqtt: { url: 'mqtts://broker:8883', caFile: join(dir, 'nope.pem') } })[0]).toMatch(/^\/mqtt\/caFile: cannot read .*ENOENT/);
  });

  it('says so when the file is not JSON', () => {
    expect(() => parseEdgeConfig('{"deviceId":', env)).toThrow(/the file is not JSON/);
  });
});

describe('loadEdgeConfig', () => {
  it('reads the file named by the first argument, else by MTL_EDGE_CONFIG', () => {
    const file = join(dir, 'edge.json');
    writeFileSync(file, JSON.stringify(minimal));
    expect(loadEdgeConfig([file], env).deviceId).toBe('cq-gw-01');
    expect(loadEdgeConfig([], { ...env, [CONFIG_PATH_ENV]: file }).deviceId).toBe('cq-gw-01');
    expect(() => loadEdgeConfig([], env)).toThrow(/no config file/);
    expect(() => loadEdgeConfig([join(dir, 'nope.json')], env)).toThrow(/cannot read .*ENOENT/);
  });
});
