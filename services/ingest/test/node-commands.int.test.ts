import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { MqttNodeCommands, RecordingNodeCommands, type NodeCommands } from '../src/node-commands.ts';

// One contract for the host's command sender and its in-memory twin: a command sent reaches the
// edge node it is addressed to, whole, once send() has resolved. The real one on the test
// stack's broker, as ingest's account, to a dev device subscribed as a Sparkplug edge node.

const broker = () => inject('stack').mqtt;
const account = (username: string) => {
  const user = broker().users.find((u) => u.username === username);
  if (!user) throw new Error(`no MQTT account ${username} in the test stack`);
  return user;
};

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Rig {
  commands: NodeCommands;
  /** The payloads the node of `topic` has received so far. */
  received: () => Uint8Array[];
  topic: string;
}

function contract(name: string, makeRig: () => Promise<Rig>) {
  describe(`${name} (NodeCommands contract)`, () => {
    it('delivers each command, whole and in order, to the node it is addressed to', async () => {
      const rig = await makeRig();
      const first = Uint8Array.of(0x08, 0x01, 0x12, 0x00);
      const second = Uint8Array.of(0x08, 0x02);
      await rig.commands.send(rig.topic, first);
      await rig.commands.send(rig.topic, second);
      await expect.poll(() => rig.received().map((p) => Buffer.from(p).toString('hex')), { timeout: 10_000 }).toEqual(['08011200', '0802']);
    });
  });
}

contract('RecordingNodeCommands', () => {
  const commands = new RecordingNodeCommands();
  const topic = 'spBv1.0/g/NCMD/node';
  return Promise.resolve({ commands, topic, received: () => commands.sent.filter((c) => c.topic === topic).map((c) => c.payload) });
});

contract('MqttNodeCommands', async () => {
  const node = 'dev-meter-001';
  const topic = `spBv1.0/group-${randomUUID().slice(0, 8)}/NCMD/${node}`;
  const received: Uint8Array[] = [];
  // The edge node: its own account and client id, subscribed to its commands only (all its ACL allows).
  const edge = await mqtt.connectAsync(broker().url, { protocolVersion: 5, clientId: node, reconnectPeriod: 0, ...account(node) });
  cleanups.push(() => edge.endAsync());
  edge.on('message', (t, payload) => {
    if (t === topic) received.push(payload);
  });
  await edge.subscribeAsync(topic, { qos: 1 });
  const commands = new MqttNodeCommands({ url: broker().url, ...account('meterline-ingest'), clientId: `ingest:test-${randomUUID().slice(0, 8)}-sparkplug-commands`, log: () => undefined });
  cleanups.push(() => commands.close());
  return { commands, topic, received: () => received };
});
