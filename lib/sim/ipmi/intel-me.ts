/**
 * The controller behind the simulated BMC in the meSensorsViaBridge mode: an Intel ME at 0x2C on
 * channel 6 that owns a temperature sensor. A console reaches it with Send Message (tracked): the
 * BMC answers the Send Message at once and forwards the ME's answer as a message of its own.
 */
import { decodeSendMessage, forwardedAnswer } from '../../ipmi/index.ts';
import { decodeRequest, encodeResponse, NetFn, type IpmiRequest } from '../../ipmi/index.ts';
import { getSensorReading } from '../../ipmi/index.ts';
import { IpmiError } from '../../ipmi/index.ts';
import type { BmcState } from './bmc-state.ts';
import { readingOf } from './handlers/sdr-sensors.ts';
import { ME_ADDRESS, ME_CHANNEL } from './quirk-modes.ts';

/** Send Message: "NAK on write" (nobody at that address), "invalid data field". */
const NAK_ON_WRITE = 0x83;
const INVALID_FIELD = 0xcc;

/** The ME's answer to a request, as completion code and data. */
function meAnswer(state: BmcState, inner: IpmiRequest): { cc: number; data: Buffer } {
  if (inner.netFn !== NetFn.sensorEvent || inner.cmd !== getSensorReading.cmd) return { cc: 0xc1, data: Buffer.alloc(0) };
  try {
    const { sensorNumber } = getSensorReading.decodeRequest?.(Buffer.from(inner.data)) ?? { sensorNumber: -1 };
    const sensor = state.sensorByNumber(sensorNumber, inner.rsLun ?? 0, ME_ADDRESS);
    if (!sensor) return { cc: 0xcb, data: Buffer.alloc(0) };
    return { cc: 0, data: getSensorReading.encodeResponse?.(readingOf(state, sensor)) ?? Buffer.alloc(0) };
  } catch (e) {
    if (e instanceof IpmiError) return { cc: 0xc7, data: Buffer.alloc(0) };
    throw e;
  }
}

/** Answer a Send Message: its own reply, then (when delivered) the target's answer forwarded. */
export function sendMessage(state: BmcState, outer: IpmiRequest): Buffer[] {
  let channel: number;
  let inner: IpmiRequest;
  try {
    const m = decodeSendMessage(outer.data);
    channel = m.channel;
    inner = decodeRequest(m.inner);
  } catch (e) {
    if (e instanceof IpmiError) return [encodeResponse(outer, INVALID_FIELD)];
    throw e;
  }
  if (!state.quirks.meSensorsViaBridge || channel !== ME_CHANNEL || inner.rsAddr !== ME_ADDRESS) return [encodeResponse(outer, NAK_ON_WRITE)];
  const a = meAnswer(state, inner);
  return [encodeResponse(outer, 0), forwardedAnswer(outer, inner, a.cc, a.data)];
}
