/** Get Sensor Reading, IPMI v2.0 section 35.14 (Sensor/Event 0x2D). */
import { defineCommand, requestLength } from './command.ts';
import { ByteReader } from '../codec/bytes.ts';
import { NetFn } from '../codec/ipmi-message.ts';

export interface SensorReadingRaw {
  raw: number;
  eventMessagesEnabled: boolean;
  scanningEnabled: boolean;
  /** "Reading/state unavailable" (bit 5), e.g. while the sensor initialises. */
  unavailable: boolean;
  /**
   * Threshold comparison bits or discrete states 7:0. For threshold sensors bits 7:6 are reserved
   * and a BMC returns them as 1b: the BMC side passes the byte as given.
   */
  state0: number;
  /** Discrete states 14:8, when present. */
  state1?: number;
}

/** Reply: the raw reading, the flags byte, then one or two state bytes. */
export const getSensorReading = defineCommand<{ sensorNumber: number }, SensorReadingRaw>({
  name: 'Get Sensor Reading',
  netFn: NetFn.sensorEvent,
  cmd: 0x2d,
  encode: (req) => Buffer.from([req.sensorNumber & 0xff]),
  decode(data) {
    const r = new ByteReader(data, 'Get Sensor Reading');
    const raw = r.u8();
    const flags = r.u8();
    return {
      raw,
      eventMessagesEnabled: (flags & 0x80) !== 0,
      scanningEnabled: (flags & 0x40) !== 0,
      unavailable: (flags & 0x20) !== 0,
      state0: r.remaining > 0 ? r.u8() : 0,
      state1: r.remaining > 0 ? r.u8() & 0x7f : undefined,
    };
  },
  decodeRequest(data) {
    requestLength(data, 'Get Sensor Reading', 1);
    return { sensorNumber: data[0] };
  },
  encodeResponse(s) {
    const bytes = [
      s.raw & 0xff,
      (s.eventMessagesEnabled ? 0x80 : 0) | (s.scanningEnabled ? 0x40 : 0) | (s.unavailable ? 0x20 : 0),
      s.state0 & 0xff,
    ];
    // Bit 7 of the states 14:8 byte is reserved and returned as 1b.
    if (s.state1 !== undefined) bytes.push(0x80 | (s.state1 & 0x7f));
    return Buffer.from(bytes);
  },
});
