/** Get Sensor Reading, IPMI v2.0 section 35.14 (Sensor/Event 0x2D). */
import { defineCommand } from './command.ts';
import { ByteReader } from '../codec/bytes.ts';
import { NetFn } from '../codec/ipmi-message.ts';

export interface SensorReadingRaw {
  raw: number;
  eventMessagesEnabled: boolean;
  scanningEnabled: boolean;
  /** "Reading/state unavailable" (bit 5), e.g. while the sensor initialises. */
  unavailable: boolean;
  /** Threshold comparison bits or discrete states 7:0. */
  state0: number;
  /** Discrete states 14:8, when present. */
  state1?: number;
}

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
});
