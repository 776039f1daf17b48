/** The FRU inventory commands a simulated BMC answers, for device 0: the machine's chassis, board and product areas. */
import { Privilege } from '../../../ipmi/index.ts';
import { getFruInventoryAreaInfo } from '../../../ipmi/index.ts';
import { readFruData } from '../../../ipmi/index.ts';
import { Completion, serve, type HandlerContext, type HandlerEntry } from './handler.ts';

function fruImage(ctx: HandlerContext, deviceId: number): Buffer {
  const fru = ctx.state.fru;
  if (!fru || deviceId !== 0) throw new Completion(0xcb);
  return fru;
}

const areaInfo = serve(getFruInventoryAreaInfo, Privilege.user, (req, ctx) => ({ size: fruImage(ctx, req.deviceId).length, byWords: !!ctx.state.o.fruByWords }));

const readData = serve(readFruData, Privilege.user, (req, ctx) => {
  const fru = fruImage(ctx, req.deviceId);
  const unit = ctx.state.o.fruByWords ? 2 : 1;
  if (req.count > (ctx.state.o.maxFruRead ?? 32)) throw new Completion(0xca);
  const start = req.offset * unit;
  if (start > fru.length) throw new Completion(0xc9);
  // A count past the end gives what is left (a trailing odd byte of a word device is padded).
  const data = Buffer.alloc(Math.min(req.count * unit, Math.ceil((fru.length - start) / unit) * unit));
  fru.copy(data, 0, start, start + data.length);
  return { count: data.length / unit, data };
});

export const FRU_HANDLERS: readonly HandlerEntry[] = [areaInfo, readData];
