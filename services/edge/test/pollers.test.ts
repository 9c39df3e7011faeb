import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '@meterline/local-stack';
import { dlt645Poller } from '../src/dlt645-poller.ts';
import { modbusPoller } from '../src/modbus-poller.ts';

// The pollers' failure paths on real sockets (their exchanges with real meters are in edge-meters.int.test.ts).
const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

/** A TCP server that accepts connections and never answers: a meter that hangs. */
async function silentServer(): Promise<number> {
  // Reading (and dropping) what comes, so that the client's FIN is seen and the connection ends.
  const server = createServer((socket) => socket.resume());
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

const register = { function: 'input' as const, address: 0, type: 'uint16' as const, wordOrder: 'high-first' as const, scale: 1, point: 'p', quantity: 'count', unit: '1' };
const modbusMeter = (port: number) => ({ kind: 'modbus-tcp' as const, id: 'm', host: '127.0.0.1', port, unitId: 1, maxGap: 0, pollIntervalMs: 1_000, timeoutMs: 300, registers: [register] });
const dltMeter = (port: number) => ({ kind: 'dlt645-tcp' as const, id: 'd', host: '127.0.0.1', port, address: '123456781012', pollIntervalMs: 1_000, timeoutMs: 300, dataIds: [{ dataId: '00010000' as const, point: 'p', quantity: 'active-energy-import', unit: 'kWh' as const }] });

describe('the pollers when a meter cannot be reached', () => {
  it('Modbus: a refused connection and a device that never answers are MTL_EDGE_METER_UNREACHABLE', async () => {
    const closed = modbusPoller(modbusMeter(await freePort()));
    await expect(closed.poll(0)).rejects.toMatchObject({ code: 'MTL_EDGE_METER_UNREACHABLE', canRetry: true });
    await closed.close();
    const silent = modbusPoller(modbusMeter(await silentServer()));
    const error = await silent.poll(0).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MTL_EDGE_METER_UNREACHABLE' });
    expect((error as Error).message).toMatch(/no answer/);
    await silent.close();
  });

  it('DL/T 645: a refused connection and a meter that never answers are MTL_EDGE_METER_UNREACHABLE', async () => {
    const closed = dlt645Poller(dltMeter(await freePort()));
    await expect(closed.poll(0)).rejects.toMatchObject({ code: 'MTL_EDGE_METER_UNREACHABLE' });
    await closed.close();
    const silent = dlt645Poller(dltMeter(await silentServer()));
    const error = await silent.poll(0).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MTL_EDGE_METER_UNREACHABLE' });
    expect((error as Error).message).toMatch(/no reply within 300 ms/);
    await silent.close();
  });
});
