/** Get Sensor Thresholds, IPMI v2.0 section 35.9 (Sensor/Event 0x27). */
import { defineCommand, requestLength } from './command.ts';
import { ByteReader } from '../codec/bytes.ts';
import { NetFn } from '../codec/ipmi-message.ts';
import { THRESHOLD_BITS, type ThresholdName } from '../sdr/records.ts';

export interface SensorThresholds {
  /** Raw threshold bytes the readable mask names, by name; unreadable thresholds are absent. */
  thresholdsRaw: Partial<Record<ThresholdName, number>>;
}

/**
 * The reply: the readable threshold mask (bit 0 LNC, 1 LCR, 2 LNR, 3 UNC, 4 UCR, 5 UNR; bits 7:6
 * reserved), then the six raw thresholds in the same order. Unreadable ones are sent as 0.
 */
export const getSensorThresholds = defineCommand<{ sensorNumber: number }, SensorThresholds>({
  name: 'Get Sensor Thresholds',
  netFn: NetFn.sensorEvent,
  cmd: 0x27,
  encode: (req) => Buffer.from([req.sensorNumber & 0xff]),
  decode(data) {
    const r = new ByteReader(data, 'Get Sensor Thresholds');
    const mask = r.u8();
    const values = r.bytes(6);
    const thresholdsRaw: Partial<Record<ThresholdName, number>> = {};
    THRESHOLD_BITS.forEach((t, bit) => {
      if (mask & (1 << bit)) thresholdsRaw[t] = values[bit];
    });
    return { thresholdsRaw };
  },
  decodeRequest(data) {
    requestLength(data, 'Get Sensor Thresholds', 1);
    return { sensorNumber: data[0] };
  },
  encodeResponse(res) {
    const out = Buffer.alloc(7);
    THRESHOLD_BITS.forEach((t, bit) => {
      const v = res.thresholdsRaw[t];
      if (v === undefined) return;
      out[0] |= 1 << bit;
      out[1 + bit] = v & 0xff;
    });
    return out;
  },
});
