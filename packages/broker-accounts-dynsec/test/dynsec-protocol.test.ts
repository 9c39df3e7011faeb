import { describe, expect, it } from 'vitest';
import { boundClientId, deviceAcls, dynsecCommands, encodeRequest, isDeviceClient, parseResponses, roleIsCurrent } from '../src/dynsec-protocol.ts';

describe('dynsec commands', () => {
  it("create a device's role allowing publishes under its own subtree and Sparkplug node id only, and its client holding that role", () => {
    expect(dynsecCommands.createRole('gw-1')).toEqual({
      command: 'createRole',
      rolename: 'device-gw-1',
      textname: 'Meterline device',
      acls: [
        { acltype: 'publishClientSend', topic: 'meterline/v1/gw-1/readings', priority: 0, allow: true },
        { acltype: 'publishClientSend', topic: 'meterline/v1/gw-1/status', priority: 0, allow: true },
        // As a Sparkplug B edge node (issue 19): its node's and devices' messages, in any group.
        ...['NBIRTH', 'NDEATH', 'NDATA'].map((type) => ({ acltype: 'publishClientSend', topic: `spBv1.0/+/${type}/gw-1`, priority: 0, allow: true })),
        ...['DBIRTH', 'DDEATH', 'DDATA'].map((type) => ({ acltype: 'publishClientSend', topic: `spBv1.0/+/${type}/gw-1/+`, priority: 0, allow: true })),
        { acltype: 'subscribePattern', topic: 'spBv1.0/+/NCMD/gw-1', priority: 1, allow: true },
        { acltype: 'subscribePattern', topic: 'spBv1.0/+/DCMD/gw-1/+', priority: 1, allow: true },
        { acltype: 'subscribePattern', topic: '#', priority: 0, allow: false },
      ],
    });
    expect(dynsecCommands.createClient('gw-1', 'pw')).toEqual({
      command: 'createClient',
      username: 'gw-1',
      clientid: 'gw-1',
      password: 'pw',
      textname: 'Meterline device',
      roles: [{ rolename: 'device-gw-1', priority: 0 }],
    });
    expect(dynsecCommands.resetRole('gw-1')).toMatchObject({ command: 'modifyRole', rolename: 'device-gw-1', acls: dynsecCommands.createRole('gw-1').acls });
  });
});

describe('encodeRequest and parseResponses', () => {
  it('tag each command with the request id and its index, and find the responses by them', () => {
    const payload = JSON.parse(encodeRequest('r-1', [dynsecCommands.getClient('a'), dynsecCommands.deleteClient('b')])) as { commands: { correlationData: string }[] };
    expect(payload.commands.map((c) => c.correlationData)).toEqual(['r-1:0', 'r-1:1']);
    const answer = JSON.stringify({
      responses: [
        { command: 'getClient', data: { client: { username: 'a' } }, correlationData: 'r-1:0' },
        { command: 'deleteClient', error: 'Client not found', correlationData: 'r-1:1' },
      ],
    });
    expect(parseResponses(answer)).toEqual([
      { requestId: 'r-1', index: 0, response: { command: 'getClient', data: { client: { username: 'a' } } } },
      { requestId: 'r-1', index: 1, response: { command: 'deleteClient', error: 'Client not found' } },
    ]);
  });

  it("leave out responses without a tag of ours (the plugin's answer to unparsable JSON has none)", () => {
    const answer = JSON.stringify({
      responses: [
        { command: 'Unknown command', error: 'Payload not valid JSON' },
        { command: 'getClient', correlationData: 'someone-elses-format' },
        { command: 'getClient', correlationData: 42 },
        'not an object',
        { correlationData: 'r:0' },
      ],
    });
    expect(parseResponses(answer)).toEqual([]);
  });

  it('answer undefined for a payload that is no response message', () => {
    expect(parseResponses('not json')).toBeUndefined();
    expect(parseResponses('{"commands":[]}')).toBeUndefined();
    expect(parseResponses('null')).toBeUndefined();
  });

  it('keep a request id that itself contains colons (only the last one separates the index)', () => {
    expect(parseResponses(JSON.stringify({ responses: [{ command: 'getClient', correlationData: 'a:b:7' }] }))).toEqual([
      { requestId: 'a:b', index: 7, response: { command: 'getClient' } },
    ]);
  });
});

describe('isDeviceClient', () => {
  const client = (username: string, roles: unknown) => ({ command: 'getClient', data: { client: { username, roles, groups: [] } } });

  it("is true only for a client holding the device's own role", () => {
    expect(isDeviceClient(client('gw-1', [{ rolename: 'device-gw-1' }]), 'gw-1')).toBe(true);
    expect(isDeviceClient(client('gw-1', [{ rolename: 'other' }, { rolename: 'device-gw-1' }]), 'gw-1')).toBe(true);
    expect(isDeviceClient(client('gw-1', [{ rolename: 'service-gw-1' }]), 'gw-1')).toBe(false);
    expect(isDeviceClient(client('gw-1', [{ rolename: 'device-gw-2' }]), 'gw-1')).toBe(false);
    expect(isDeviceClient(client('gw-2', [{ rolename: 'device-gw-1' }]), 'gw-1')).toBe(false);
    expect(isDeviceClient(client('gw-1', []), 'gw-1')).toBe(false);
    expect(isDeviceClient(client('gw-1', 'device-gw-1'), 'gw-1')).toBe(false);
    expect(isDeviceClient({ command: 'getClient', error: 'Client not found' }, 'gw-1')).toBe(false);
    expect(isDeviceClient({ command: 'getClient' }, 'gw-1')).toBe(false);
  });
});

describe('roleIsCurrent and boundClientId (provision)', () => {
  const role = (acls: unknown) => ({ command: 'getRole', data: { role: { rolename: 'device-gw-1', acls } } });

  it("take a role holding exactly this version's device ACLs, in any order, as current", () => {
    expect(roleIsCurrent(role([...deviceAcls('gw-1')].reverse()), 'gw-1')).toBe(true);
  });

  it('take a role of an earlier version (its whole subtree), one ACL more or less, or another device\'s ACLs as not current', () => {
    expect(roleIsCurrent(role([{ acltype: 'publishClientSend', topic: 'meterline/v1/gw-1/#', priority: 0, allow: true }]), 'gw-1')).toBe(false);
    expect(roleIsCurrent(role([...deviceAcls('gw-1'), { acltype: 'subscribePattern', topic: '$share/#', priority: 0, allow: true }]), 'gw-1')).toBe(false);
    expect(roleIsCurrent(role(deviceAcls('gw-1').slice(1)), 'gw-1')).toBe(false);
    expect(roleIsCurrent(role(deviceAcls('gw-2')), 'gw-1')).toBe(false);
    expect(roleIsCurrent({ command: 'getRole', error: 'Role not found' }, 'gw-1')).toBe(false);
  });

  it('read the client id an account is bound to, or none', () => {
    expect(boundClientId({ command: 'getClient', data: { client: { username: 'gw-1', clientid: 'gw-1', roles: [] } } })).toBe('gw-1');
    expect(boundClientId({ command: 'getClient', data: { client: { username: 'gw-1', roles: [] } } })).toBeUndefined();
    expect(dynsecCommands.bindClientId('gw-1')).toEqual({ command: 'modifyClient', username: 'gw-1', clientid: 'gw-1' });
  });
});
