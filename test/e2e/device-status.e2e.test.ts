import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { statusTopic, type DeviceStatusV1 } from '@meterline/contracts';
import { fleetManifest } from '@meterline/simulator';
import { stackEnv } from '../harness/stack-env.ts';
import { createPipeline, devicePassword, type Pipeline } from '../harness/pipeline.ts';
import { readTopic } from '../harness/kafka-topics.ts';

let pipeline: Pipeline | undefined;
const retainedTopics: string[] = [];
afterEach(async () => {
  await pipeline?.close();
  // A status the broker retains would be sent to every later share group subscribing to the
  // status topics (and dead-lettered there as an unknown device): clear it.
  for (const topic of retainedTopics.splice(0)) {
    const deviceId = topic.split('/')[2]!;
    const device = await mqtt.connectAsync(stackEnv().stack.mqtt.url, { protocolVersion: 5, clientId: deviceId, username: deviceId, password: devicePassword(deviceId), reconnectPeriod: 0 });
    await device.publishAsync(topic, '', { qos: 1, retain: true });
    await device.endAsync();
  }
  pipeline = undefined;
});

/** The device's records on the status topic, once there are `count` of them. */
async function statusesOf(deviceId: string, count: number): Promise<DeviceStatusV1[]> {
  for (;;) {
    const records = (await readTopic<DeviceStatusV1>(stackEnv().stack, pipeline!.topics.deviceStatus)).filter((s) => s.deviceId === deviceId);
    if (records.length >= count) return records;
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('device status → MQTT → ingest → Kafka', () => {
  it('forwards an explicit online and, when the device drops without a DISCONNECT, the last will the broker publishes for it', async () => {
    const env = stackEnv();
    const prefix = `e2e-status-${randomUUID().slice(0, 6)}`;
    pipeline = await createPipeline(env, fleetManifest({ enterprises: 1, devicesPerEnterprise: 2, pointsPerDevice: 1, prefix }));
    await pipeline.ingest.start();
    const [meter, gateway] = pipeline.manifest.enterprises[0]!.devices.map((d) => d.id) as [string, string];

    // As a device is told to in docs/device-integration.md: last will `offline`, then `online`.
    retainedTopics.push(statusTopic(meter));
    const device = await mqtt.connectAsync(env.stack.mqtt.url, {
      protocolVersion: 5,
      clientId: meter,
      username: meter,
      password: devicePassword(meter),
      reconnectPeriod: 0,
      will: { topic: statusTopic(meter), payload: Buffer.from('offline'), qos: 1, retain: true },
    });
    await device.publishAsync(statusTopic(meter), 'online', { qos: 1, retain: true });
    const received = { receivedAt: expect.any(String) as unknown, receivedMs: expect.any(Number) as unknown };
    // Waited for: the share group spreads one device's messages over ingest's connections, so two
    // statuses a millisecond apart may reach Kafka in either order.
    expect(await statusesOf(meter, 1)).toEqual([{ v: 1, deviceId: meter, enterpriseId: `${prefix}-e0`, state: 'online', text: 'online', retained: false, ...received }]);

    // Power cut: the socket goes away without a DISCONNECT packet, so the broker sends the will.
    device.stream.destroy();
    expect((await statusesOf(meter, 2))[1]).toEqual({ v: 1, deviceId: meter, enterpriseId: `${prefix}-e0`, state: 'offline', text: 'offline', retained: false, ...received });
    device.end(true);

    // A JSON status from the other device, which then disconnects cleanly (it set no will).
    const other = await mqtt.connectAsync(env.stack.mqtt.url, { protocolVersion: 5, clientId: gateway, username: gateway, password: devicePassword(gateway), reconnectPeriod: 0 });
    await other.publishAsync(statusTopic(gateway), JSON.stringify({ status: 'online', firmware: '2.1.0' }), { qos: 1 });
    await other.endAsync();
    expect(await statusesOf(gateway, 1)).toMatchObject([{ deviceId: gateway, enterpriseId: `${prefix}-e0`, state: 'online', retained: false }]);
    expect(await statusesOf(meter, 2)).toHaveLength(2);
    expect(await pipeline.deadLetters()).toEqual([]);
  });
});
