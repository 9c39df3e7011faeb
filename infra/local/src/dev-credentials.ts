import type { DynsecServiceUser } from './mosquitto-dynsec.ts';
import type { MqttServiceUser, MqttUser } from './mosquitto.ts';
import { MQTT_TOPIC_ROOT } from './mosquitto.ts';

/**
 * Development-only credentials for the local stack (`stack up`): never use them anywhere reachable.
 * Services read their own credentials from config; these are the values the dev config points at.
 */
export const DEV_INFLUX_ADMIN = Object.freeze({ username: 'meterline', password: 'meterline-dev' });
export const DEV_INFLUX_DATABASE = 'meterline';

/** The ingest service: reads every device's readings and status (last will), alone or in a
 * `$share/<group>/…` group (its role allows both forms, see dynsecSeed). As the Sparkplug B host
 * it also reads edge nodes' messages (node and device levels) and sends them rebirth commands. */
export const INGEST_MQTT_USER: MqttServiceUser = Object.freeze({
  username: 'meterline-ingest',
  read: [`${MQTT_TOPIC_ROOT}/+/readings`, `${MQTT_TOPIC_ROOT}/+/status`, 'spBv1.0/+/+/+', 'spBv1.0/+/+/+/+'],
  write: ['spBv1.0/+/NCMD/+'],
});

/** An observer for debugging and the raw-broker benchmark: reads everything under the topic root. */
export const MONITOR_MQTT_USER: MqttServiceUser = Object.freeze({
  username: 'meterline-monitor',
  read: [`${MQTT_TOPIC_ROOT}/#`],
});

export const DEV_SERVICE_PASSWORDS: Readonly<Record<string, string>> = Object.freeze({
  'meterline-ingest': 'ingest-dev',
  'meterline-monitor': 'monitor-dev',
});

/**
 * The dynamic security plugin's admin on the dev stack: only the control topics, with which
 * `stack up`, `./meterline up`, the tests and the API (its devices' credentials) make device accounts.
 */
export const DEV_BROKER_ADMIN: MqttUser = Object.freeze({ username: 'meterline-admin', password: 'admin-dev' });

/** The dev stack's service accounts with their passwords, as the broker is seeded with them. */
export const devServiceUsers = (): DynsecServiceUser[] =>
  [INGEST_MQTT_USER, MONITOR_MQTT_USER].map((user) => ({ ...user, password: DEV_SERVICE_PASSWORDS[user.username]! }));

/** Dev devices `dev-meter-001` … with password `<id>-secret`. */
export function devDevices(count: number): MqttUser[] {
  return Array.from({ length: count }, (_, i) => {
    const username = `dev-meter-${String(i + 1).padStart(3, '0')}`;
    return { username, password: `${username}-secret` };
  });
}
