import { createConnection, type Socket } from 'node:net';
import { FrameReader, energyReply, readDataRequest, type Dlt645Frame } from '@meterline/dlt645';
import { EdgeError } from './errors.ts';
import type { Dlt645MeterConfig } from './config.ts';
import { withTimeout, type MeterPoller, type PollResult } from './poll-result.ts';

/** A TCP connection to one meter, handing over its frames one at a time. */
class FrameLink {
  private readonly reader = new FrameReader();
  private readonly frames: Dlt645Frame[] = [];
  private waiter: ((frame: Dlt645Frame | Error) => void) | undefined;
  private failure: Error | undefined;

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk) => {
      // Bytes that are not a frame (line noise from a serial gateway) are passed over by the reader.
      for (const frame of this.reader.push(chunk).frames) this.deliver(frame);
    });
    const fail = (error: Error) => {
      this.failure ??= error;
      this.deliver(error);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('the connection closed')));
  }

  get usable(): boolean {
    return this.failure === undefined && !this.socket.destroyed;
  }

  private deliver(item: Dlt645Frame | Error): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter) waiter(item);
    else if (!(item instanceof Error)) this.frames.push(item);
  }

  /** Sends `request` and resolves with the next frame that comes; a frame left from an earlier, timed-out request is dropped first. */
  exchange(request: Buffer): Promise<Dlt645Frame> {
    this.frames.length = 0;
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiter = (item) => (item instanceof Error ? reject(item) : resolve(item));
      this.socket.write(request);
    });
  }

  close(): void {
    this.waiter = undefined;
    this.socket.destroy();
  }
}

/**
 * Polls one DL/T 645-2007 meter over TCP (a meter with a network port, or behind a serial-to-
 * Ethernet gateway): one read-data request (11H) per configured identifier, one at a time, as a
 * half-duplex RS-485 line needs. A meter's refusal of one identifier skips that value only.
 */
export function dlt645Poller(meter: Dlt645MeterConfig): MeterPoller {
  const where = `${meter.host}:${meter.port} (address ${meter.address})`;
  let link: FrameLink | undefined;

  const drop = () => {
    link?.close();
    link = undefined;
  };

  const connected = async (): Promise<FrameLink> => {
    if (link?.usable) return link;
    drop();
    const socket = createConnection({ host: meter.host, port: meter.port });
    const fresh = new FrameLink(socket);
    try {
      await withTimeout(
        new Promise<void>((resolve, reject) => {
          socket.once('connect', resolve);
          socket.once('error', reject);
        }),
        meter.timeoutMs,
        () => new Error(`no connection within ${meter.timeoutMs} ms`),
      );
    } catch (error) {
      fresh.close();
      throw new EdgeError('MTL_EDGE_METER_UNREACHABLE', `meter ${meter.id}: cannot connect to ${where}: ${(error as Error).message}`, { cause: error });
    }
    link = fresh;
    return fresh;
  };

  return {
    meterId: meter.id,
    async poll(tsMs) {
      const result: PollResult = { readings: [], skipped: [] };
      for (const entry of meter.dataIds) {
        const dataId = Number.parseInt(entry.dataId, 16);
        const current = await connected();
        let frame: Dlt645Frame;
        try {
          frame = await withTimeout(current.exchange(readDataRequest(meter.address, dataId)), meter.timeoutMs, () => new Error(`no reply within ${meter.timeoutMs} ms`));
        } catch (error) {
          drop();
          throw new EdgeError('MTL_EDGE_METER_UNREACHABLE', `meter ${meter.id}: no reply from ${where} for ${entry.dataId}H: ${(error as Error).message}`, { cause: error });
        }
        if (frame.address !== meter.address) {
          throw new EdgeError('MTL_EDGE_METER_REFUSED', `meter ${meter.id}: the reply for ${entry.dataId}H came from address ${frame.address}, not ${meter.address}`);
        }
        const reply = energyReply(frame, dataId);
        if (reply.ok) result.readings.push({ point: entry.point, quantity: entry.quantity, unit: entry.unit, value: reply.kWh, tsMs });
        else if (reply.kind === 'meter-error') result.skipped.push({ point: entry.point, reason: 'meter-error', detail: `${entry.dataId}H: ${reply.detail}` });
        else throw new EdgeError('MTL_EDGE_METER_REFUSED', `meter ${meter.id}: the reply for ${entry.dataId}H does not fit: ${reply.detail}`);
      }
      return result;
    },
    close: () => {
      drop();
      return Promise.resolve();
    },
  };
}
