import { pbkdf2, randomBytes } from 'node:crypto';
import { access, mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { StackError } from './errors.ts';
import type { Installation } from './install.ts';
import { ensureInstalled } from './install.ts';
import { ManagedProcess } from './managed-process.ts';
import type { DynsecDeviceAccounts } from '@meterline/broker-accounts-dynsec';
import type { DevicePublishLimit } from '@meterline/contracts';
import { connectDeviceAccounts, provisionDeviceAccounts, type ProvisionReport } from './device-provisioning.ts';
import { brokerConf, type BrokerPersistence, type MqttServiceUser, type MqttUser, type ServiceHandle } from './mosquitto.ts';
import { ensureRateLimitPlugin, rateLimitConf } from './mosquitto-rate-limit.ts';
import { LOOPBACK, tcpAnswers } from './ports.ts';

const pbkdf2Async = promisify(pbkdf2);

/** A service account of the dynamic security broker: its filters become a role of its own. */
export interface DynsecServiceUser extends MqttServiceUser {
  readonly password: string;
}

export interface MosquittoDynsecOptions {
  /** Data directory (config, the plugin's state file, persistence, log, pid file). */
  readonly dir: string;
  readonly port: number;
  /** The account that administers the plugin over `$CONTROL/dynamic-security/v1` (what the API connects as). */
  readonly admin: MqttUser;
  /** Service accounts (ingest, a monitor); devices are created later through the plugin. */
  readonly serviceUsers?: readonly DynsecServiceUser[];
  /** The plugin's path; found in the usual library directories when absent (see findDynsecPlugin). */
  readonly pluginPath?: string;
  /** What each client may publish (default DEVICE_PUBLISH_LIMIT); a benchmark's synthetic devices may need more. */
  readonly publishLimit?: DevicePublishLimit;
  /** When the broker saves its sessions and queues to disk (default DEFAULT_BROKER_PERSISTENCE). */
  readonly persistence?: BrokerPersistence;
  /** Keep running after this Node process exits. */
  readonly detached?: boolean;
  readonly installation?: Installation;
  readonly startTimeoutMs?: number;
}

export interface MosquittoDynsecHandle extends ServiceHandle {
  readonly port: number;
  /** `mqtt://127.0.0.1:<port>` */
  readonly url: string;
  /** The plugin's state file: seeded with the admin and service accounts at the first start, then written by the plugin alone. */
  readonly configFile: string;
  /** The account that administers the plugin. */
  readonly admin: MqttUser;
  /**
   * Device accounts through the plugin's control API (DynsecDeviceAccounts.provision): each one
   * made with its password when absent, or brought to the current policy, its password kept.
   * Never deletes or re-passwords an account, so a provisioned device is never refused meanwhile.
   */
  provisionDevices(devices: readonly MqttUser[]): Promise<ProvisionReport>;
  /** The admin's connection to the plugin, for rotate and revoke; the caller closes it. */
  deviceAccounts(): Promise<DynsecDeviceAccounts>;
}

const PLUGIN_FILE = 'mosquitto_dynamic_security.so';
const PASSWORD_SALT_BYTES = 12;
/** mosquitto 2.0's own count (PW_DEFAULT_ITERATIONS), which the plugin uses for every password it sets itself. */
const PASSWORD_ITERATIONS = 101;
const ADMIN_ROLE = 'dynsec-admin';
const CONTROL_FILTER = '$CONTROL/dynamic-security/#';

/** Debian/Ubuntu multiarch directory prefixes per Node architecture: the plugin of this machine's architecture first. */
const MULTIARCH_PREFIX: Readonly<Record<string, string>> = { x64: 'x86_64-', arm64: 'aarch64-', arm: 'arm-', ia32: 'i386-', ppc64: 'powerpc64le-', s390x: 's390x-', riscv64: 'riscv64-' };

async function isFile(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    // Absent or unreadable: not a candidate.
    return false;
  }
}

/** Directories the plugin is installed in by Linux distributions (multiarch first) and Homebrew. */
async function pluginCandidates(): Promise<string[]> {
  let multiarch: string[] = [];
  try {
    multiarch = (await readdir('/usr/lib', { withFileTypes: true })).filter((e) => e.isDirectory() && /-linux-gnu/.test(e.name)).map((e) => e.name);
  } catch {
    // No /usr/lib (not Linux): only the fixed locations below.
    multiarch = [];
  }
  const own = MULTIARCH_PREFIX[process.arch];
  multiarch.sort((a, b) => Number(own !== undefined && b.startsWith(own)) - Number(own !== undefined && a.startsWith(own)) || a.localeCompare(b));
  return [
    ...multiarch.map((dir) => join('/usr/lib', dir, PLUGIN_FILE)),
    ...['/usr/lib', '/usr/lib64', '/usr/local/lib', '/usr/lib/mosquitto', '/usr/local/lib/mosquitto', '/opt/homebrew/lib', '/usr/local/opt/mosquitto/lib'].map((dir) => join(dir, PLUGIN_FILE)),
  ];
}

/** The path of mosquitto_dynamic_security.so: `explicit` if given and present, else the first found in the usual places. */
export async function findDynsecPlugin(explicit?: string): Promise<string> {
  const candidates = explicit === undefined ? await pluginCandidates() : [explicit];
  for (const candidate of candidates) {
    if (await isFile(candidate)) return candidate;
  }
  throw new StackError(
    'MTL_STACK_TOOL_MISSING',
    `Mosquitto's dynamic security plugin (${PLUGIN_FILE}) was not found; looked for ${candidates.join(', ')}. ` +
      'It ships with Mosquitto 2 (Debian/Ubuntu: the mosquitto package, in /usr/lib/<multiarch>/); pass pluginPath if it is elsewhere',
  );
}

/** A password as the plugin stores it (plugins/dynamic-security/auth.c): base64 of PBKDF2-HMAC-SHA512, 64 bytes, over a 12-byte salt. */
export async function dynsecPasswordHash(password: string, salt: Buffer, iterations: number): Promise<string> {
  return (await pbkdf2Async(password, salt, iterations, 64, 'sha512')).toString('base64');
}

async function dynsecClient(user: MqttUser, textname: string, rolename: string): Promise<Record<string, unknown>> {
  const salt = randomBytes(PASSWORD_SALT_BYTES);
  return {
    username: user.username,
    textname,
    password: await dynsecPasswordHash(user.password, salt, PASSWORD_ITERATIONS),
    salt: salt.toString('base64'),
    iterations: PASSWORD_ITERATIONS,
    roles: [{ rolename }],
  };
}

/**
 * The plugin's first state: the admin (allowed only the control topics, unlike `mosquitto_ctrl dynsec
 * init`'s admin, which may also read every topic), the service accounts each with a role of
 * their filters, and default access denying publish and subscribe to anyone without a matching ACL.
 */
export async function dynsecSeed(admin: MqttUser, serviceUsers: readonly DynsecServiceUser[]): Promise<object> {
  const names = [admin.username, ...serviceUsers.map((u) => u.username)];
  for (const [i, name] of names.entries()) {
    if (name === '' || names.indexOf(name) !== i) throw new StackError('MTL_STACK_CONFIG_INVALID', `dynamic security accounts need distinct, non-empty usernames (${JSON.stringify(name)})`);
  }
  for (const user of [admin, ...serviceUsers]) {
    if (user.password === '') throw new StackError('MTL_STACK_CONFIG_INVALID', `the dynamic security account ${user.username} needs a password`);
  }
  const serviceRole = (user: DynsecServiceUser) => ({
    rolename: `service-${user.username}`,
    acls: [
      ...(user.read ?? []).flatMap((topic) => [
        { acltype: 'subscribePattern', topic, allow: true },
        // The plugin checks a shared subscription's whole `$share/<group>/<filter>` (seen on 2.0.11).
        { acltype: 'subscribePattern', topic: `$share/+/${topic}`, allow: true },
        { acltype: 'publishClientReceive', topic, allow: true },
      ]),
      ...(user.write ?? []).map((topic) => ({ acltype: 'publishClientSend', topic, allow: true })),
    ],
  });
  return {
    defaultACLAccess: { publishClientSend: false, publishClientReceive: true, subscribe: false, unsubscribe: true },
    clients: [
      await dynsecClient(admin, 'Dynamic security admin', ADMIN_ROLE),
      ...(await Promise.all(serviceUsers.map((user) => dynsecClient(user, 'Meterline service', `service-${user.username}`)))),
    ],
    roles: [
      {
        rolename: ADMIN_ROLE,
        acls: [
          { acltype: 'publishClientSend', topic: CONTROL_FILTER, allow: true },
          { acltype: 'publishClientReceive', topic: CONTROL_FILTER, allow: true },
          { acltype: 'subscribePattern', topic: CONTROL_FILTER, allow: true },
        ],
      },
      ...serviceUsers.map(serviceRole),
    ],
    groups: [],
  };
}

/**
 * Accounts and ACLs live in the plugin, changed at run time over $CONTROL/dynamic-security/v1;
 * what each client may publish, in our rate-limit plugin.
 */
const dynsecConf = (options: MosquittoDynsecOptions, dir: string, plugins: { dynsec: string; rateLimit: string }, configFile: string): string =>
  brokerConf(options.port, dir, [`plugin ${plugins.dynsec}`, `plugin_opt_config_file ${configFile}`, ...rateLimitConf(plugins.rateLimit, options.publishLimit)], options.persistence);

/**
 * A Mosquitto 2 broker whose accounts and ACLs are in the dynamic security plugin, as a native
 * process: the stack's broker (issue 13). Unlike an acl_file, the plugin refuses a device's
 * SUBSCRIBE (a `$share` subscription included) and binds an account to one client id; device
 * accounts are made at run time through its control API, never written into its files.
 */
export function mosquittoDynsec(options: MosquittoDynsecOptions): MosquittoDynsecHandle {
  const dir = options.dir;
  const conf = join(dir, 'mosquitto.conf');
  const configFile = join(dir, 'dynamic-security.json');
  const logFile = join(dir, 'mosquitto.log');
  let installation = options.installation;
  const proc = new ManagedProcess({
    name: 'mosquitto',
    cwd: dir,
    logFile,
    pidFile: join(dir, 'mosquitto.pid'),
    cmdlineMarker: conf,
    detached: options.detached ?? false,
    ports: [options.port],
  });

  const url = `mqtt://${LOOPBACK}:${options.port}`;
  return {
    name: 'mosquitto',
    dir,
    logFile,
    port: options.port,
    url,
    configFile,
    admin: options.admin,
    async start() {
      const install = (installation ??= await ensureInstalled());
      const running = await proc.runningPid();
      if (running !== undefined) await refuseBrokerOfAnotherKind(conf, running);
      if (running === undefined) {
        const plugins = {
          dynsec: await findDynsecPlugin(options.pluginPath),
          rateLimit: await ensureRateLimitPlugin(install.cacheDir, (line) => process.stderr.write(`${line}\n`)),
        };
        await mkdir(join(dir, 'data'), { recursive: true });
        await writeFile(conf, dynsecConf(options, dir, plugins, configFile));
        // Seeded once: afterwards the file holds what was provisioned, and a restart keeps it.
        if (!(await isFile(configFile))) {
          const scratch = `${configFile}.tmp-${process.pid}`;
          await writeFile(scratch, `${JSON.stringify(await dynsecSeed(options.admin, options.serviceUsers ?? []), null, 2)}\n`, { mode: 0o600 });
          await rename(scratch, configFile);
        }
      }
      await proc.start({ command: install.mosquitto.bin, args: ['-c', conf] }, { timeoutMs: options.startTimeoutMs ?? 15_000, probe: () => tcpAnswers(options.port) });
    },
    stop: (timeoutMs) => proc.stop(timeoutMs),
    kill: () => proc.kill(),
    runningPid: () => proc.runningPid(),
    provisionDevices: (devices) => provisionDeviceAccounts({ url, admin: options.admin }, devices),
    deviceAccounts: () => connectDeviceAccounts({ url, admin: options.admin }),
  };
}

/**
 * A broker adopted in `dir` must be this kind: the password-file broker of earlier versions ran
 * from the same directory, and provisioning it through the plugin would wait for answers that
 * never come; a broker of a version before the publish limit would let one device flood.
 */
async function refuseBrokerOfAnotherKind(conf: string, pid: number): Promise<void> {
  const text = await readFile(conf, 'utf8');
  const missing = [
    ...(/^plugin_opt_config_file /m.test(text) ? [] : ['no dynamic security plugin (a password-file broker of an earlier version)']),
    ...(/^plugin_opt_messages_per_second /m.test(text) ? [] : ['no publish limit (a broker of an earlier version)']),
  ];
  if (missing.length === 0) return;
  throw new StackError('MTL_STACK_CONFIG_INVALID', `the Mosquitto running from ${conf} (pid ${pid}) has ${missing.join(' and ')}: stop it (stack down) and start the stack again`);
}
