/**
 * The control API of Mosquitto's dynamic security plugin (mosquitto 2.0,
 * plugins/dynamic-security/README.md): a JSON `{"commands":[…]}` published to CONTROL_TOPIC;
 * the plugin runs the commands of one message in order, without any other control message in
 * between, and publishes `{"responses":[…]}` (one per command, each carrying the command's
 * correlationData) on RESPONSE_TOPIC to every subscriber. Pure: builders and parsers only.
 */
import { devicePublishTopics, deviceSparkplugCommandFilters, deviceSparkplugPublishFilters } from '@meterline/broker-accounts';

export const CONTROL_TOPIC = '$CONTROL/dynamic-security/v1';
export const RESPONSE_TOPIC = '$CONTROL/dynamic-security/v1/response';

export interface DynsecCommand {
  readonly command: string;
  readonly [field: string]: unknown;
}

export interface DynsecResponse {
  readonly command: string;
  /** Present when the command failed: the plugin's fixed text (its protocol has no error codes). */
  readonly error?: string;
  readonly data?: unknown;
}

/** An ACL entry of a role. `publishClientSend`: what a client may publish (MQTT topic filter). */
export interface DynsecAcl {
  readonly acltype: 'publishClientSend' | 'publishClientReceive' | 'subscribeLiteral' | 'subscribePattern' | 'unsubscribeLiteral' | 'unsubscribePattern';
  readonly topic: string;
  readonly priority?: number;
  readonly allow: boolean;
}

/**
 * The error texts this adapter tells apart, as mosquitto 2.0.11's plugin writes them
 * (clients.c, roles.c). Matched here and nowhere else; the integration test pins them on the real broker.
 */
export const DYNSEC_ERROR = Object.freeze({
  clientExists: 'Client already exists',
  clientNotFound: 'Client not found',
  roleExists: 'Role already exists',
});

/** Shown by `listClients`/`getClient` so an operator sees which accounts Meterline provisions. */
const DEVICE_TEXTNAME = 'Meterline device';

/**
 * The role holding a device's ACL. The plugin of 2.0.11 matches ACL topics literally (no `%u`/`%c`
 * substitution, acl.c), so every device has a role of its own instead of one shared pattern.
 */
const deviceRoleName = (deviceId: string): string => `device-${deviceId}`;

/**
 * A device may publish on its readings and status topics, and as a Sparkplug B edge node under its
 * own node id; it may subscribe to the host's commands to that node and to nothing else. The explicit
 * deny keeps a device out of every subscription even on a broker whose default access allows them
 * (`#` does not match `$` topics such as `$share/…` or `$SYS/…`: those fall to the default access,
 * which must deny subscribing; the broker's file sets it). Everything else falls to the default too.
 */
export const deviceAcls = (deviceId: string): DynsecAcl[] => [
  ...[...devicePublishTopics(deviceId), ...deviceSparkplugPublishFilters(deviceId)].map((topic): DynsecAcl => ({ acltype: 'publishClientSend', topic, priority: 0, allow: true })),
  // Checked before the deny below (higher priority first): a Sparkplug edge node hears the host's commands to it.
  ...deviceSparkplugCommandFilters(deviceId).map((topic): DynsecAcl => ({ acltype: 'subscribePattern', topic, priority: 1, allow: true })),
  { acltype: 'subscribePattern', topic: '#', priority: 0, allow: false },
];

export const dynsecCommands = {
  createRole: (deviceId: string): DynsecCommand => ({ command: 'createRole', rolename: deviceRoleName(deviceId), textname: DEVICE_TEXTNAME, acls: deviceAcls(deviceId) }),
  /** Replaces the role's ACLs with the device's (the plugin disconnects the role's clients). */
  resetRole: (deviceId: string): DynsecCommand => ({ command: 'modifyRole', rolename: deviceRoleName(deviceId), acls: deviceAcls(deviceId) }),
  deleteRole: (deviceId: string): DynsecCommand => ({ command: 'deleteRole', rolename: deviceRoleName(deviceId) }),
  getRole: (deviceId: string): DynsecCommand => ({ command: 'getRole', rolename: deviceRoleName(deviceId) }),
  /**
   * `clientid`: the plugin refuses the account under any other client id (CONNACK 0x87), so a
   * device can neither take over another device's session nor a service's (whose ids contain `:`).
   */
  createClient: (deviceId: string, password: string): DynsecCommand => ({
    command: 'createClient',
    username: deviceId,
    clientid: deviceId,
    password,
    textname: DEVICE_TEXTNAME,
    roles: [{ rolename: deviceRoleName(deviceId), priority: 0 }],
  }),
  getClient: (username: string): DynsecCommand => ({ command: 'getClient', username }),
  /** Binds an existing account to the device id as client id (the plugin disconnects its open connections). */
  bindClientId: (deviceId: string): DynsecCommand => ({ command: 'modifyClient', username: deviceId, clientid: deviceId }),
  /** The plugin disconnects the client's open connections (mosquitto_kick_client_by_username, without their wills). */
  setClientPassword: (deviceId: string, password: string): DynsecCommand => ({ command: 'setClientPassword', username: deviceId, password }),
  /** Disconnects the client's open connections too, without their wills. */
  deleteClient: (deviceId: string): DynsecCommand => ({ command: 'deleteClient', username: deviceId }),
};

/** The request's payload: each command tagged `<requestId>:<index>` to find its response among everyone's. */
export function encodeRequest(requestId: string, commands: readonly DynsecCommand[]): string {
  return JSON.stringify({ commands: commands.map((command, index) => ({ ...command, correlationData: `${requestId}:${index}` })) });
}

export interface TaggedResponse {
  readonly requestId: string;
  readonly index: number;
  readonly response: DynsecResponse;
}

/**
 * The responses of one response message that carry a correlation tag of encodeRequest's form;
 * others (another admin client's, or the plugin's answer to a message it could not parse) are
 * left out. Undefined when the payload is not a response message at all.
 */
export function parseResponses(payload: string): TaggedResponse[] | undefined {
  let body: unknown;
  try {
    body = JSON.parse(payload);
  } catch {
    // Not JSON: nobody's response (only the plugin publishes here, but a misconfigured ACL could let others).
    return undefined;
  }
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { responses?: unknown }).responses)) return undefined;
  const tagged: TaggedResponse[] = [];
  for (const item of (body as { responses: unknown[] }).responses) {
    if (typeof item !== 'object' || item === null) continue;
    const { correlationData, command, error, data } = item as Record<string, unknown>;
    const tag = typeof correlationData === 'string' ? /^(.+):(\d+)$/.exec(correlationData) : null;
    if (tag === null || typeof command !== 'string') continue;
    const response: DynsecResponse = {
      command,
      ...(typeof error === 'string' ? { error } : {}),
      ...(data === undefined ? {} : { data }),
    };
    tagged.push({ requestId: tag[1]!, index: Number(tag[2]), response });
  }
  return tagged;
}

/**
 * Whether a getClient response describes the device's account as this adapter made it: a client
 * holding the device's role. A service account of the same name (or the admin) is not a device.
 */
export function isDeviceClient(response: DynsecResponse, deviceId: string): boolean {
  if (response.error !== undefined) return false;
  const client = (response.data as { client?: { username?: unknown; roles?: unknown } } | undefined)?.client;
  if (client?.username !== deviceId || !Array.isArray(client.roles)) return false;
  return client.roles.some((role: unknown) => (role as { rolename?: unknown } | null)?.rolename === deviceRoleName(deviceId));
}

/** The client id a getClient response binds the account to; undefined when it binds none. */
export function boundClientId(response: DynsecResponse): string | undefined {
  const clientid = (response.data as { client?: { clientid?: unknown } } | undefined)?.client?.clientid;
  return typeof clientid === 'string' && clientid !== '' ? clientid : undefined;
}

const aclKey = (acl: { acltype?: unknown; topic?: unknown; priority?: unknown; allow?: unknown }): string =>
  JSON.stringify([acl.acltype, acl.topic, acl.priority ?? 0, acl.allow]);

/**
 * Whether a getRole response holds exactly the device's ACLs of this version (deviceAcls). A role
 * made by an earlier version (publish on `meterline/v1/<id>/#`) or changed by hand is not current.
 */
export function roleIsCurrent(response: DynsecResponse, deviceId: string): boolean {
  if (response.error !== undefined) return false;
  const acls = (response.data as { role?: { acls?: unknown } } | undefined)?.role?.acls;
  if (!Array.isArray(acls)) return false;
  const held = acls.map((acl: unknown) => aclKey((acl ?? {}) as Record<string, unknown>)).sort();
  const wanted = deviceAcls(deviceId).map(aclKey).sort();
  return held.length === wanted.length && held.every((key, i) => key === wanted[i]);
}
