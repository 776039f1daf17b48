/** The System Event Log commands a simulated BMC answers: info, reserve, entries with partial reads, time, clear. */
import { Privilege } from '../../../ipmi/index.ts';
import { clearSel, getSelEntry, getSelInfo, reserveSel } from '../../../ipmi/index.ts';
import { getSelTime } from '../../../ipmi/index.ts';
import { Completion, serve, type HandlerEntry } from './handler.ts';
import { recordIndex } from './records.ts';

const selInfo = serve(getSelInfo, Privilege.user, (_req, ctx) => ({
  version: '1.5',
  entries: ctx.state.sel.length,
  freeSpace: (512 - ctx.state.sel.length) * 16,
  lastAddition: ctx.state.selAddedAt,
  lastErase: ctx.state.selErasedAt,
  overflow: false,
  operationSupport: 0x02, // reserve supported
}));

const reserve = serve(reserveSel, Privilege.user, (_req, ctx) => {
  ctx.state.selReservation = (ctx.state.selReservation % 0xffff) + 1;
  return { reservationId: ctx.state.selReservation };
});

const selEntry = serve(getSelEntry, Privilege.user, (req, ctx) => {
  const sel = ctx.state.sel;
  const offset = req.offset ?? 0;
  if (offset !== 0 && req.reservationId !== ctx.state.selReservation) throw new Completion(0xc5);
  const i = recordIndex(sel, req.recordId);
  if (i < 0) throw new Completion(0xcb);
  const length = (req.length ?? 0xff) === 0xff ? 16 - offset : (req.length as number);
  const next = i + 1 < sel.length ? sel[i + 1].readUInt16LE(0) : 0xffff;
  return { nextRecordId: next, data: sel[i].subarray(offset, offset + length) };
});

const selTime = serve(getSelTime, Privilege.user, (_req, ctx) => ({ timestamp: ctx.state.seconds() }));

const clear = serve(clearSel, Privilege.operator, (req, ctx) => {
  if (req.reservationId !== ctx.state.selReservation) throw new Completion(0xc5);
  if (req.initiate) ctx.state.clearSel();
  return { complete: true };
});

export const SEL_HANDLERS: readonly HandlerEntry[] = [selInfo, reserve, selEntry, selTime, clear];
