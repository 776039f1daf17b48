/**
 * The simulated BMC's command table as index.ts composes it: every command module with a BMC side
 * is answered by exactly one handler (the v1.5 handshake's two commands by the handshake, not the
 * table), privilege is enforced before a handler runs, and a command served twice is refused when
 * the table is built.
 */
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dispatch, handlerKey, handlerTable } from '../../../lib/sim/ipmi/handlers/handler.ts';
import { HANDLER_GROUPS, SIM_HANDLERS } from '../../../lib/sim/ipmi/handlers/index.ts';
import { ChassisAction, chassisControl } from '../../../lib/ipmi/commands/chassis.ts';
import { activateSession, getSessionChallenge } from '../../../lib/ipmi/commands/session-v15.ts';
import { getDeviceId } from '../../../lib/ipmi/commands/get-device-id.ts';
import { getChannelAuthCapabilities } from '../../../lib/ipmi/commands/get-channel-auth-capabilities.ts';
import { getChannelCipherSuites } from '../../../lib/ipmi/commands/get-channel-cipher-suites.ts';
import type { BmcState } from '../../../lib/sim/ipmi/bmc-state.ts';
import { simState } from './dispatch-support.ts';

const COMMANDS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../lib/ipmi/commands');

/** A handler context in a session at `privilege`, or outside any session. */
function contextAt(state: BmcState, privilege?: number) {
  const engine = { activeSessions: 1, sessionSlots: 4, suites: [3, 17] };
  if (privilege === undefined) return { state, engine };
  return { state, engine, session: { kind: '2.0' as const, userId: 2, privilege, maxPrivilege: 4, setPrivilege: () => undefined, close: () => true } };
}

interface ServerSide {
  file: string;
  name: string;
  netFn: number;
  cmd: number;
}

/** Every command object the client's command modules export with both BMC-side halves. */
async function serverSideCommands(): Promise<ServerSide[]> {
  const out: ServerSide[] = [];
  for (const file of readdirSync(COMMANDS).filter((f) => f.endsWith('.ts'))) {
    const mod = (await import(join(COMMANDS, file))) as Record<string, unknown>;
    for (const value of Object.values(mod)) {
      const c = value as Partial<Record<'name' | 'netFn' | 'cmd' | 'decodeRequest' | 'encodeResponse', unknown>> | null;
      if (!c || typeof c !== 'object' || typeof c.netFn !== 'number' || typeof c.cmd !== 'number' || typeof c.name !== 'string') continue;
      if (typeof c.decodeRequest !== 'function' || typeof c.encodeResponse !== 'function') continue;
      out.push({ file, name: c.name, netFn: c.netFn, cmd: c.cmd });
    }
  }
  return out;
}

describe('the composed command table', () => {
  it('answers every command module with a BMC side, once; the v1.5 handshake commands are left to the handshake', async () => {
    const commands = await serverSideCommands();
    expect(commands.length).toBeGreaterThan(30);
    const handshake = new Set([handlerKey(getSessionChallenge.netFn, getSessionChallenge.cmd), handlerKey(activateSession.netFn, activateSession.cmd)]);
    const unserved = commands.filter((c) => !handshake.has(handlerKey(c.netFn, c.cmd)) && !SIM_HANDLERS.has(handlerKey(c.netFn, c.cmd)));
    expect(unserved.map((c) => `${c.file}: ${c.name}`)).toEqual([]);
    for (const k of handshake) expect(SIM_HANDLERS.has(k)).toBe(false);
    // Nothing in the table that is not a command module's, and the table holds each group's every entry.
    const known = new Map(commands.map((c) => [handlerKey(c.netFn, c.cmd), c.name]));
    for (const [k, entry] of SIM_HANDLERS) expect(known.get(k)).toBe(entry.name);
    expect(SIM_HANDLERS.size).toBe(Object.values(HANDLER_GROUPS).reduce((n, g) => n + g.length, 0));
  });

  it('outside a session only the discovery commands are answered', () => {
    const open = [...SIM_HANDLERS.values()].filter((e) => e.privilege === 0).map((e) => e.name).sort();
    expect(open).toEqual([getChannelAuthCapabilities.name, getChannelCipherSuites.name].sort());
    const ctx = contextAt(simState());
    expect(dispatch(SIM_HANDLERS, ctx, getDeviceId.netFn, getDeviceId.cmd, Buffer.alloc(0)).cc).toBe(0xd4);
    const caps = dispatch(SIM_HANDLERS, ctx, getChannelAuthCapabilities.netFn, getChannelAuthCapabilities.cmd, getChannelAuthCapabilities.encode({ channel: 0x0e, privilege: 4, v2: true }));
    expect(caps.cc).toBe(0);
    expect(caps.data.length).toBeGreaterThan(0);
  });

  it('a command below its privilege is refused with 0xD4 and changes nothing; an unknown one gets 0xC1', () => {
    const state = simState();
    expect(state.host.powerOn).toBe(true);
    const powerDown = chassisControl.encode({ action: ChassisAction.powerDown });
    expect(dispatch(SIM_HANDLERS, contextAt(state, 2), chassisControl.netFn, chassisControl.cmd, powerDown).cc).toBe(0xd4);
    expect(state.host.controlCounts.off).toBe(0);
    expect(dispatch(SIM_HANDLERS, contextAt(state, 3), chassisControl.netFn, chassisControl.cmd, powerDown).cc).toBe(0);
    expect(state.host.controlCounts.off).toBe(1);
    expect(dispatch(SIM_HANDLERS, contextAt(state, 4), 0x2e, 0x01, Buffer.alloc(0))).toEqual({ cc: 0xc1, data: Buffer.alloc(0) });
  });

  it('a table without a group does not answer that group\'s commands', () => {
    const { chassis: _chassis, ...rest } = HANDLER_GROUPS;
    const table = handlerTable(rest);
    const state = simState();
    const ctx = contextAt(state, 4);
    expect(dispatch(table, ctx, chassisControl.netFn, chassisControl.cmd, chassisControl.encode({ action: ChassisAction.powerDown })).cc).toBe(0xc1);
    expect(state.host.controlCounts.off).toBe(0);
    expect(dispatch(table, ctx, getDeviceId.netFn, getDeviceId.cmd, Buffer.alloc(0)).cc).toBe(0);
  });

  it('refuses a command served by two groups, naming both', () => {
    expect(() => handlerTable({ app: HANDLER_GROUPS.app, chassis: HANDLER_GROUPS.chassis, again: [HANDLER_GROUPS.chassis[0]] })).toThrow(
      /Get Chassis Status \(netFn 0x0, cmd 0x1\) is served twice: by chassis and by again/,
    );
  });
});
