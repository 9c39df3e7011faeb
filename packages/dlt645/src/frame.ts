/**
 * DL/T 645-2007 (多功能电能表通信协议), clause 7.1, the frame:
 *
 *   68H  A0 A1 A2 A3 A4 A5  68H  C  L  DATA[L]  CS  16H
 *
 * - A0…A5: the meter's 12-digit address in BCD, the lowest two digits first; AAH in a byte
 *   matches any digits there (the wildcard used to ask a meter its address).
 * - C: the control code: D7 set in a meter's reply, D6 in an abnormal reply, D5 when a
 *   follow-up frame comes, D4…D0 the function.
 * - DATA: each byte sent plus 33H (mod 256) and received minus 33H.
 * - CS: the sum, mod 256, of every byte from the first 68H through the last data byte.
 * - A sender may put up to four wake-up bytes FEH before the frame; they are not summed.
 */

const START = 0x68;
const END = 0x16;
const WAKE_UP = 0xfe;
const DATA_OFFSET = 0x33;
/** Start, six address bytes, start, control, length: the bytes before DATA. */
const HEADER_BYTES = 10;
/** Everything but DATA: the header, the checksum and the end byte. */
const FRAME_OVERHEAD = HEADER_BYTES + 2;
export const MAX_DATA_BYTES = 255;

export interface Dlt645Frame {
  /** The address as printed on the meter: 12 characters, each pair two decimal digits or "AA". */
  address: string;
  control: number;
  /** DATA with the 33H offset taken off. */
  data: Uint8Array;
}

export const controlBits = {
  isReply: (control: number) => (control & 0x80) !== 0,
  isAbnormal: (control: number) => (control & 0x40) !== 0,
  hasFollowUp: (control: number) => (control & 0x20) !== 0,
  functionCode: (control: number) => control & 0x1f,
};

const ADDRESS = /^(?:\d\d|AA){6}$/;

/** The address's six bytes in wire order, or undefined when it is not 12 digits (or AA pairs). */
export function addressBytes(address: string): Uint8Array | undefined {
  if (!ADDRESS.test(address)) return undefined;
  const bytes = new Uint8Array(6);
  for (let i = 0; i < 6; i++) {
    const pair = address.slice(10 - 2 * i, 12 - 2 * i);
    bytes[i] = pair === 'AA' ? 0xaa : (Number(pair[0]) << 4) | Number(pair[1]);
  }
  return bytes;
}

/** The address six wire bytes spell, or undefined when a byte is neither BCD nor AAH. */
function addressText(bytes: Uint8Array): string | undefined {
  let text = '';
  for (let i = 5; i >= 0; i--) {
    const b = bytes[i]!;
    if (b === 0xaa) text += 'AA';
    else if (b >> 4 <= 9 && (b & 0x0f) <= 9) text += `${b >> 4}${b & 0x0f}`;
    else return undefined;
  }
  return text;
}

/** A frame's bytes, with `wakeUpBytes` FEH before it (0 to 4; meters on a bus may sleep). */
export function encodeFrame(frame: Dlt645Frame, wakeUpBytes = 4): Buffer {
  const address = addressBytes(frame.address);
  if (!address) throw new RangeError(`"${frame.address}" is not a DL/T 645 address (12 digits, or AA pairs)`);
  if (frame.data.length > MAX_DATA_BYTES) throw new RangeError(`${frame.data.length} data bytes exceed the frame's ${MAX_DATA_BYTES}`);
  if (!Number.isInteger(frame.control) || frame.control < 0 || frame.control > 0xff) throw new RangeError(`control code ${frame.control} is not a byte`);
  if (!Number.isInteger(wakeUpBytes) || wakeUpBytes < 0 || wakeUpBytes > 4) throw new RangeError(`${wakeUpBytes} wake-up bytes: 0 to 4`);
  const out = Buffer.alloc(wakeUpBytes + FRAME_OVERHEAD + frame.data.length);
  out.fill(WAKE_UP, 0, wakeUpBytes);
  let at = wakeUpBytes;
  out[at++] = START;
  out.set(address, at);
  at += 6;
  out[at++] = START;
  out[at++] = frame.control;
  out[at++] = frame.data.length;
  for (const b of frame.data) out[at++] = (b + DATA_OFFSET) & 0xff;
  out[at] = checksum(out, wakeUpBytes, at);
  out[at + 1] = END;
  return out;
}

function checksum(bytes: Uint8Array, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += bytes[i]!;
  return sum & 0xff;
}

/** Bytes the reader passed over: not a frame, or a frame whose checksum, end byte or address was wrong. */
export interface SkippedBytes {
  bytes: number;
  reason: 'not a frame' | 'checksum' | 'no end byte' | 'address not BCD';
}

/**
 * Frames out of a byte stream (TCP has no framing of its own: a frame may come in pieces, or
 * several in one read). Bytes that cannot start a frame, and candidate frames that fail their
 * checks, are skipped and reported; the reader then looks for the next 68H. It holds at most
 * one frame's worth of bytes, whatever it is sent.
 */
export class FrameReader {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Uint8Array): { frames: Dlt645Frame[]; skipped: SkippedBytes[] } {
    let buf = this.pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
    const frames: Dlt645Frame[] = [];
    const skipped: SkippedBytes[] = [];
    const skip = (bytes: number, reason: SkippedBytes['reason']) => {
      const last = skipped.at(-1);
      if (last && last.reason === reason) last.bytes += bytes;
      else skipped.push({ bytes, reason });
      buf = buf.subarray(bytes);
    };
    while (buf.length > 0) {
      const start = buf.indexOf(START);
      if (start < 0) {
        if (buf.some((b) => b !== WAKE_UP)) skip(buf.length, 'not a frame');
        else buf = buf.subarray(buf.length);
        break;
      }
      if (start > 0) {
        if (buf.subarray(0, start).some((b) => b !== WAKE_UP)) skip(start, 'not a frame');
        else buf = buf.subarray(start);
        continue;
      }
      if (buf.length < HEADER_BYTES) break;
      if (buf[7] !== START) {
        skip(1, 'not a frame');
        continue;
      }
      const length = buf[9]!;
      const total = FRAME_OVERHEAD + length;
      if (buf.length < total) break;
      if (buf[total - 1] !== END) {
        skip(1, 'no end byte');
        continue;
      }
      if (checksum(buf, 0, total - 2) !== buf[total - 2]) {
        skip(1, 'checksum');
        continue;
      }
      const address = addressText(buf.subarray(1, 7));
      if (address === undefined) {
        skip(total, 'address not BCD');
        continue;
      }
      const data = new Uint8Array(length);
      for (let i = 0; i < length; i++) data[i] = (buf[HEADER_BYTES + i]! - DATA_OFFSET) & 0xff;
      frames.push({ address, control: buf[8]!, data });
      buf = buf.subarray(total);
    }
    // A copy: the rest may be a view of a large chunk, which the reader must not keep alive.
    this.pending = Buffer.from(buf);
    return { frames, skipped };
  }

  /** Bytes held for a frame not yet complete. */
  get pendingBytes(): number {
    return this.pending.length;
  }
}
