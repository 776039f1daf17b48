/**
 * Running commands against a simulated BMC's handlers without a socket: the command's encoder,
 * the simulator's dispatch, then the command's decoder, with completion codes turned into the
 * client's errors as the client does. Every call is recorded.
 */
import { BmcState, type SimBmcOptions } from '../../../lib/sim/ipmi/bmc-state.ts';
import { dispatch, SIM_HANDLERS, type HandlerContext, type SessionView } from '../../../lib/sim/ipmi/handlers/index.ts';
import { FAST_TIMINGS } from '../../../lib/sim/ipmi/host-model.ts';
import type { Clock } from '../../../lib/sim/ipmi/clock.ts';
import type { IpmiCommand, RunCommand } from '../../../lib/ipmi/commands/command.ts';
import { completionCodeName } from '../../../lib/ipmi/codec/completion-codes.ts';
import { IpmiCompletionCodeError } from '../../../lib/ipmi/errors.ts';

export interface Call {
  name: string;
  request: unknown;
  cc: number;
}

export function simState(o: Partial<SimBmcOptions> = {}, clock: Clock = { now: () => Date.now() }): BmcState {
  return new BmcState({ name: 'sim-1', adminPassword: 'password', host: { timings: FAST_TIMINGS }, ...o }, clock);
}

export function dispatchRun(state: BmcState, privilege = 4): { run: RunCommand; calls: Call[]; raw: (c: IpmiCommand<unknown, unknown>, data: number[]) => { cc: number; data: Buffer } } {
  const calls: Call[] = [];
  const session: SessionView = { kind: '2.0', userId: 2, privilege, maxPrivilege: 4, setPrivilege: () => undefined, close: () => true };
  const ctx: HandlerContext = { state, engine: { activeSessions: 1, sessionSlots: 4, suites: [3, 17] }, session };
  const run: RunCommand = async <Req, Res>(c: IpmiCommand<Req, Res>, req: Req): Promise<Res> => {
    const a = dispatch(SIM_HANDLERS, ctx, c.netFn, c.cmd, c.encode(req));
    calls.push({ name: c.name, request: req, cc: a.cc });
    if (a.cc !== 0) throw new IpmiCompletionCodeError(c.name, a.cc, completionCodeName(a.cc, c.completionCodes));
    return c.decode(a.data);
  };
  const raw = (c: IpmiCommand<unknown, unknown>, data: number[]) => dispatch(SIM_HANDLERS, ctx, c.netFn, c.cmd, Buffer.from(data));
  return { run, calls, raw };
}
