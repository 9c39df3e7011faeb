import { describe, expect, it } from 'vitest';
import { testApi } from './fixtures.ts';

/** The API's /ready with InfluxDB replicas (ADR 0010), given each member's answer to its ping. */
async function readyWith(up: [primary: boolean, replica: boolean]) {
  const members = () => Promise.resolve([
    { name: 'http://influx-a:8086', up: up[0] },
    { name: 'http://influx-b:8086', up: up[1] },
  ]);
  const { app } = await testApi({ influxMembers: members });
  const response = await app.inject({ url: '/ready' });
  await app.close();
  return { status: response.statusCode, influxdb: response.json<{ checks: { influxdb: string } }>().checks.influxdb };
}

describe('/ready with InfluxDB replicas', () => {
  it('is ready and ok while every InfluxDB answers', async () => {
    expect(await readyWith([true, true])).toEqual({ status: 200, influxdb: 'ok' });
  });

  it('stays ready with the primary down, saying what is still served and from where', async () => {
    expect(await readyWith([false, true])).toEqual({
      status: 200,
      influxdb: 'primary http://influx-a:8086 down: readings and figures from http://influx-b:8086, everything else unavailable',
    });
  });

  it('names a replica that is down', async () => {
    expect(await readyWith([true, false])).toEqual({ status: 200, influxdb: 'replica http://influx-b:8086 down' });
  });

  it('is not ready when no InfluxDB answers', async () => {
    expect(await readyWith([false, false])).toEqual({ status: 503, influxdb: 'down' });
  });
});
