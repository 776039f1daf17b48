/** The sensor and SDR repository commands a simulated BMC answers: readings, thresholds, and the repository with partial reads. */
import { Privilege } from '../../../ipmi/index.ts';
import { getSensorReading } from '../../../ipmi/index.ts';
import { getSensorThresholds } from '../../../ipmi/index.ts';
import { getSdr, getSdrRepositoryInfo, reserveSdrRepository } from '../../../ipmi/index.ts';
import type { SensorReadingRaw } from '../../../ipmi/index.ts';
import type { SimSensor } from '../sensors.ts';
import { Completion, serve, type HandlerContext, type HandlerEntry } from './handler.ts';
import { recordIndex } from './records.ts';

const sensorReading = serve(getSensorReading, Privilege.user, (req, ctx) => {
  const q = ctx.state.quirks;
  const sensor = ctx.state.sensorByNumber(req.sensorNumber, ctx.lun ?? 0);
  if (!sensor) throw new Completion(0xcb);
  if (q.sensorOddCode?.sensorNumber === req.sensorNumber) throw new Completion(q.sensorOddCode.code);
  return readingOf(ctx.state, sensor);
});

/** Get Sensor Reading's answer for a sensor, with the quirk modes that change it. */
export function readingOf(state: HandlerContext['state'], sensor: SimSensor): SensorReadingRaw {
  const q = state.quirks;
  const n = sensor.spec.sensorNumber;
  const r = state.readSensor(sensor);
  const discrete = sensor.states !== undefined;
  return {
    raw: q.sensorFF === n ? 0xff : r.raw,
    eventMessagesEnabled: true,
    scanningEnabled: !q.scanningDisabledSensors?.includes(n),
    unavailable: r.unavailable,
    // Threshold sensors return bits 7:6 of the comparison byte as 1b (reserved); discrete ones their states.
    state0: discrete ? r.thresholdBits : r.thresholdBits | 0xc0,
    state1: discrete ? 0 : undefined,
  };
}

const sensorThresholds = serve(getSensorThresholds, Privilege.user, (req, ctx) => {
  const sensor = ctx.state.sensorByNumber(req.sensorNumber, ctx.lun ?? 0);
  if (!sensor) throw new Completion(0xcb);
  return { thresholdsRaw: sensor.spec.thresholdsRaw };
});

const repositoryInfo = serve(getSdrRepositoryInfo, Privilege.user, (_req, ctx) => ({
  version: '1.5',
  recordCount: ctx.state.repository.length,
  freeSpace: 0xffff,
  lastAddition: ctx.state.repositoryAddedAt,
  lastErase: ctx.state.repositoryErasedAt,
  operationSupport: 0x02, // reserve supported
}));

const reserveRepository = serve(reserveSdrRepository, Privilege.user, (_req, ctx) => {
  ctx.state.sdrReservation = (ctx.state.sdrReservation % 0xffff) + 1;
  return { reservationId: ctx.state.sdrReservation };
});

const sdrRecord = serve(getSdr, Privilege.user, (req, ctx) => {
  const repo = ctx.state.repository;
  if (req.offset !== 0 && req.reservationId !== ctx.state.sdrReservation) throw new Completion(0xc5);
  const lastSdrC3 = ctx.state.quirks.lastSdrC3;
  const i = recordIndex(repo, req.recordId);
  if (i < 0) throw new Completion(lastSdrC3 ? 0xc3 : 0xcb);
  const record = repo[i];
  if (req.offset > record.length) throw new Completion(0xc9);
  const length = req.length === 0xff ? record.length - req.offset : req.length;
  if (req.length !== 0xff && length > (ctx.state.o.maxSdrRead ?? 64)) throw new Completion(0xca);
  // lastSdrC3: the last record names the next ID up as its next, and that record is not there.
  const after = lastSdrC3 ? (record.readUInt16LE(0) + 1) & 0xffff : 0xffff;
  const next = i + 1 < repo.length ? repo[i + 1].readUInt16LE(0) : after;
  return { nextRecordId: next, data: record.subarray(req.offset, req.offset + length) };
});

export const SDR_SENSOR_HANDLERS: readonly HandlerEntry[] = [sensorReading, sensorThresholds, repositoryInfo, reserveRepository, sdrRecord];
