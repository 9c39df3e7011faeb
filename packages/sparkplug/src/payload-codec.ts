import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { DataType, PayloadSchema, type Payload } from './gen/sparkplug_b_pb.ts';

/** A Sparkplug B payload from the wire, or why the bytes are not one. Never throws. */
export function decodePayload(bytes: Uint8Array): { ok: true; payload: Payload } | { ok: false; error: string } {
  try {
    return { ok: true, payload: fromBinary(PayloadSchema, bytes) };
  } catch (error) {
    // The decoder's message says what was wrong (a bad wire type, a truncated field): it is the reason.
    return { ok: false, error: (error as Error).message };
  }
}

/**
 * The NCMD a host sends to ask an edge node for a rebirth (specification: "Node Control/Rebirth",
 * Boolean true). The datatype is set on the metric: some edge nodes (pysparkplug 0.6.1) decode a
 * command only when every metric carries one.
 */
export function rebirthRequest(nowMs: number): Uint8Array {
  const timestamp = BigInt(nowMs);
  return toBinary(
    PayloadSchema,
    create(PayloadSchema, {
      timestamp,
      metrics: [{ name: 'Node Control/Rebirth', timestamp, datatype: DataType.Boolean, value: { case: 'booleanValue', value: true } }],
    }),
  );
}
