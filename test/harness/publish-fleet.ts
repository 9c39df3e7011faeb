import { expect } from 'vitest';
import { connectFleet, type PlannedPayload } from '@meterline/simulator';
import { devicePassword } from './pipeline.ts';

/**
 * Publishes planned payloads as their devices, 200 in flight at a time, and expects every one
 * acknowledged (QoS 1: ingest answers only once Kafka has the readings or their dead letter).
 */
export async function publishAccepted(mqttUrl: string, deviceIds: string[], payloads: readonly PlannedPayload[]): Promise<void> {
  const connection = await connectFleet({ url: mqttUrl, deviceIds, password: devicePassword });
  try {
    for (let i = 0; i < payloads.length; i += 200) {
      const outcomes = await Promise.all(payloads.slice(i, i + 200).map((p) => connection.publish(p)));
      expect(outcomes.filter((o) => !o.accepted).map((o) => o.refusal)).toEqual([]);
    }
  } finally {
    await connection.close();
  }
}
