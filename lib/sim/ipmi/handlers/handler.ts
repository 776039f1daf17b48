/**
 * What a simulated BMC's command handler is, and how a table of them answers a request. Requests
 * are parsed and answers built with the command modules' own server-side halves (decodeRequest /
 * encodeResponse), so the simulator and the client share one codec. Each handler names the
 * privilege it needs; the groups in this folder hold them as data and index.ts composes the table.
 */
import { IpmiRequestError, type IpmiCommand } from '../../../ipmi/index.ts';
import { IpmiError } from '../../../ipmi/index.ts';
import type { BmcState } from '../bmc-state.ts';

/** What a handler may know of the session a request came in. */
export interface SessionView {
  kind: '1.5' | '2.0';
  userId: number;
  privilege: number;
  maxPrivilege: number;
  setPrivilege(p: number): void;
  close(id: number): boolean;
}

export interface EngineView {
  readonly activeSessions: number;
  readonly sessionSlots: number;
  readonly suites: number[];
}

export interface HandlerContext {
  state: BmcState;
  engine: EngineView;
  /** Undefined outside a session (only discovery commands are answered then). */
  session?: SessionView;
  /** The LUN the request was addressed to (0 unless a sensor on another LUN is read). */
  lun?: number;
}

export interface Answer {
  cc: number;
  data: Buffer;
}

/** Throw to answer with a completion code. */
export class Completion extends Error {
  constructor(readonly cc: number) {
    super(`completion code 0x${cc.toString(16)}`);
  }
}

/** The privilege of a command answered before any session: Get Channel Authentication Capabilities and the like. */
export const OUT_OF_SESSION = 0;

/** One command the simulated BMC answers: its netFn and cmd, the privilege it needs, and what it does. */
export interface HandlerEntry {
  readonly name: string;
  readonly netFn: number;
  readonly cmd: number;
  readonly privilege: number;
  run(ctx: HandlerContext, data: Buffer): Buffer;
}

/** Handlers by netFn and cmd. */
export type HandlerTable = ReadonlyMap<number, HandlerEntry>;

export const handlerKey = (netFn: number, cmd: number): number => (netFn << 8) | cmd;

/** A handler for a command: parse with its decodeRequest, answer with its encodeResponse. */
export function serve<Req, Res>(c: IpmiCommand<Req, Res>, privilege: number, fn: (req: Req, ctx: HandlerContext) => Res): HandlerEntry {
  const decode = c.decodeRequest;
  const encode = c.encodeResponse;
  if (!decode || !encode) throw new Error(`${c.name}: the command module has no server side`);
  return { name: c.name, netFn: c.netFn, cmd: c.cmd, privilege, run: (ctx, data) => encode(fn(decode(data), ctx)) };
}

/** The table of the given groups; a command served by two handlers is a mistake, named here. */
export function handlerTable(groups: Readonly<Record<string, readonly HandlerEntry[]>>): HandlerTable {
  const table = new Map<number, HandlerEntry>();
  const groupOf = new Map<number, string>();
  for (const [group, entries] of Object.entries(groups)) {
    for (const entry of entries) {
      const k = handlerKey(entry.netFn, entry.cmd);
      const first = groupOf.get(k);
      if (first !== undefined) throw new Error(`${entry.name} (netFn 0x${entry.netFn.toString(16)}, cmd 0x${entry.cmd.toString(16)}) is served twice: by ${first} and by ${group}`);
      table.set(k, entry);
      groupOf.set(k, group);
    }
  }
  return table;
}

/** Answer one request: 0xC1 for a command nobody serves, 0xD4 below its privilege, else the handler's answer. */
export function dispatch(table: HandlerTable, ctx: HandlerContext, netFn: number, cmd: number, data: Buffer): Answer {
  const entry = table.get(handlerKey(netFn, cmd));
  if (!entry) return { cc: 0xc1, data: Buffer.alloc(0) };
  const privilege = ctx.session?.privilege ?? 0;
  if (entry.privilege > privilege) return { cc: 0xd4, data: Buffer.alloc(0) };
  try {
    return { cc: 0, data: entry.run(ctx, data) };
  } catch (e) {
    if (e instanceof Completion) return { cc: e.cc, data: Buffer.alloc(0) };
    // A request the command's own decoder refuses: its completion code says why (0xC7 length, 0xCC field).
    if (e instanceof IpmiRequestError) return { cc: e.completionCode, data: Buffer.alloc(0) };
    if (e instanceof IpmiError) return { cc: 0xc7, data: Buffer.alloc(0) };
    throw e;
  }
}
