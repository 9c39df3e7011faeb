import modbusSerial from 'modbus-serial';
import { decodeRegisters, registerCount, scaled } from './register-decoding.ts';
import { readBlocks } from './read-blocks.ts';
import { EdgeError } from './errors.ts';
import type { ModbusMeterConfig, RegisterEntryConfig } from './config.ts';
import type { PolledReading } from './payload.ts';
import { withTimeout, type MeterPoller, type PollResult, type SkippedValue } from './poll-result.ts';

// modbus-serial is CommonJS whose typings say `export default`: under NodeNext the default import
// is the whole module, and the client class is its `default` (which the module sets to itself).
const ModbusRTU = modbusSerial.default;
type ModbusRTU = InstanceType<typeof ModbusRTU>;

/** A Modbus exception response (function code + 80H) as modbus-serial reports it: `modbusCode` set. */
const isModbusException = (error: unknown): error is Error & { modbusCode: number } => typeof (error as { modbusCode?: unknown } | null)?.modbusCode === 'number';

/**
 * Polls one Modbus TCP device with modbus-serial: its register entries read in as few requests
 * as they allow (read-blocks.ts), then decoded one by one. The connection stays open between
 * polls and is made again after any failure.
 */
export function modbusPoller(meter: ModbusMeterConfig): MeterPoller {
  const blocks = readBlocks(meter.registers.map((entry) => ({ function: entry.function, address: entry.address, count: registerCount(entry.type), entry })), meter.maxGap);
  let client: ModbusRTU | undefined;
  const where = `${meter.host}:${meter.port} (unit ${meter.unitId})`;

  const drop = () => {
    const stale = client;
    client = undefined;
    if (stale?.isOpen) stale.close(() => undefined);
    else stale?.destroy(() => undefined);
  };

  const connected = async (): Promise<ModbusRTU> => {
    if (client?.isOpen) return client;
    drop();
    const fresh = new ModbusRTU();
    // Without a listener, a socket error after the connect would be thrown as an uncaught 'error'.
    fresh.on('error', () => undefined);
    client = fresh;
    try {
      // Bounded here, not by connectTCP's `timeout`: that is the socket's idle timeout, which would also fire between polls.
      await withTimeout(fresh.connectTCP(meter.host, { port: meter.port }), meter.timeoutMs, () => new Error(`no connection within ${meter.timeoutMs} ms`));
    } catch (error) {
      drop();
      throw new EdgeError('MTL_EDGE_METER_UNREACHABLE', `meter ${meter.id}: cannot connect to ${where}: ${(error as Error).message}`, { cause: error });
    }
    fresh.setID(meter.unitId);
    fresh.setTimeout(meter.timeoutMs);
    return fresh;
  };

  return {
    meterId: meter.id,
    async poll(tsMs) {
      const modbus = await connected();
      const result: PollResult = { readings: [], skipped: [] };
      for (const block of blocks) {
        let words: number[];
        try {
          const read = block.function === 'holding' ? modbus.readHoldingRegisters(block.address, block.count) : modbus.readInputRegisters(block.address, block.count);
          words = (await read).data;
        } catch (error) {
          if (isModbusException(error)) {
            throw new EdgeError('MTL_EDGE_METER_REFUSED', `meter ${meter.id}: ${where} refused to read ${block.count} ${block.function} register(s) at ${block.address}: Modbus exception ${error.modbusCode} (${error.message})`, { cause: error });
          }
          // A timeout or a lost connection: the next poll connects afresh.
          drop();
          throw new EdgeError('MTL_EDGE_METER_UNREACHABLE', `meter ${meter.id}: no answer from ${where} reading ${block.function} register(s) at ${block.address}: ${(error as Error).message}`, { cause: error });
        }
        if (words.length !== block.count) {
          throw new EdgeError('MTL_EDGE_METER_REFUSED', `meter ${meter.id}: ${where} answered ${words.length} register(s) to a read of ${block.count} at ${block.address}`);
        }
        for (const { span, offset } of block.members) collect(span.entry, words.slice(offset, offset + span.count), tsMs, result);
      }
      // Readings in the order of the register map, whatever order the requests took.
      const order = new Map(meter.registers.map((entry, index) => [entry.point, index]));
      result.readings.sort((a, b) => order.get(a.point)! - order.get(b.point)!);
      return result;
    },
    close: () => {
      drop();
      return Promise.resolve();
    },
  };
}

function collect(entry: RegisterEntryConfig, words: number[], tsMs: number, into: { readings: PolledReading[]; skipped: SkippedValue[] }): void {
  const decoded = decodeRegisters(words, entry.type, entry.wordOrder);
  if (!decoded.ok) {
    into.skipped.push({ point: entry.point, reason: decoded.reason, detail: `${entry.function} register ${entry.address} (${entry.type}): ${decoded.detail}` });
    return;
  }
  into.readings.push({ point: entry.point, quantity: entry.quantity, unit: entry.unit, value: scaled(decoded.value, entry.scale), tsMs });
}
