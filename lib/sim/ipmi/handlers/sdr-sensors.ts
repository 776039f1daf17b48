/** The sensor and SDR repository commands a simulated BMC answers: readings, thresholds, and the repository with partial reads. */
import { Privilege } from '../../../ipmi/index.ts';
import { getSensorReading } from '../../../ipmi/index.ts';
import { getSensorThresholds } from '../../../ipmi/index.ts';
import { getSdr, getSdrRepositoryInfo, reserveSdrRepository } from '../../../ipmi/index.ts';
import { Completion, serve, type HandlerEntry } from './handler.ts';
import { recordIndex } from './records.ts';

const sensorReading = serve(getSensorReading, Privilege.user, (req, ctx) => {
  const sensor = ctx.state.sensorByNumber(req.sensorNumber);
  if (!sensor) throw new Completion(0xcb);
  const r = ctx.state.readSensor(sensor);
  return { raw: r.raw, eventMessagesEnabled: true, scanningEnabled: true, unavailable: r.unavailable, state0: r.thresholdBits | 0xc0, state1: undefined };
});

const sensorThresholds = serve(getSensorThresholds, Privilege.user, (req, ctx) => {
  const sensor = ctx.state.sensorByNumber(req.sensorNumber);
  if (!sensor) throw new Completion(0xcb);
  return { thresholdsRaw: sensor.spec.thresholdsRaw };
});

const repositoryInfo = serve(getSdrRepositoryInfo, Privilege.user, (_req, ctx) => ({
  version: '1.5',
  recordCount: ctx.state.repository.length,
  freeSpace: 0xffff,
  lastAddition: ctx.state.repositoryAddedAt,
  lastErase: 0,
  operationSupport: 0x02, // reserve supported
}));

const reserveRepository = serve(reserveSdrRepository, Privilege.user, (_req, ctx) => {
  ctx.state.sdrReservation = (ctx.state.sdrReservation % 0xffff) + 1;
  return { reservationId: ctx.state.sdrReservation };
});

const sdrRecord = serve(getSdr, Privilege.user, (req, ctx) => {
  const repo = ctx.state.repository;
  if (req.offset !== 0 && req.reservationId !== ctx.state.sdrReservation) throw new Completion(0xc5);
  const i = recordIndex(repo, req.recordId);
  if (i < 0) throw new Completion(0xcb);
  const record = repo[i];
  if (req.offset > record.length) throw new Completion(0xc9);
  const length = req.length === 0xff ? record.length - req.offset : req.length;
  if (req.length !== 0xff && length > (ctx.state.o.maxSdrRead ?? 64)) throw new Completion(0xca);
  const next = i + 1 < repo.length ? repo[i + 1].readUInt16LE(0) : 0xffff;
  return { nextRecordId: next, data: record.subarray(req.offset, req.offset + length) };
});

export const SDR_SENSOR_HANDLERS: readonly HandlerEntry[] = [sensorReading, sensorThresholds, repositoryInfo, reserveRepository, sdrRecord];
