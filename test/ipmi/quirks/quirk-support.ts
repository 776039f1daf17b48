/**
 * The quirk tests' fixtures: our simulated BMC in a quirk mode on a loopback port, and our client
 * on it with a memory of its own (nothing learned leaks between tests) and the quirk table given,
 * whole or with one entry taken out (`withoutQuirks`) to show what breaks without its handling.
 */
import { afterEach } from 'vitest';
import { openBmc, type Bmc, type BmcOptions } from '../../../lib/ipmi/client.ts';
import { HostQuirkMemory } from '../../../lib/ipmi/host-quirks.ts';
import { DEFAULT_QUIRKS, withoutQuirks, type BmcQuirks, type QuirkId } from '../../../lib/ipmi/quirks.ts';
import { MemorySdrCache } from '../../../lib/ipmi/sdr/sdr-cache.ts';
import type { SimulatedBmc, SimulatedBmcOptions } from '../../../lib/sim/ipmi/server.ts';
import type { SimQuirks } from '../../../lib/sim/ipmi/quirk-modes.ts';
import { startSim } from '../../sim/ipmi/sim-support.ts';

export const PASSWORD = 'password';

const open: Array<{ close(): Promise<void> }> = [];
const sims: SimulatedBmc[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((b) => b.close().catch(() => undefined)));
  await Promise.all(sims.splice(0).map((s) => s.stop()));
});

/** A simulated BMC in these quirk modes, stopped after the test. */
export async function quirkSim(quirks: SimQuirks, o: Partial<SimulatedBmcOptions> = {}): Promise<SimulatedBmc> {
  const sim = await startSim({ adminPassword: PASSWORD, quirks, ...o });
  sims.push(sim);
  return sim;
}

export interface ClientSetup extends Partial<BmcOptions> {
  /** Quirk handling to take out of the table. */
  without?: QuirkId[];
  /** Figures of the quirk table to change (sessionIdleMs, commandGapMs). */
  figures?: Partial<Pick<BmcQuirks, 'sessionIdleMs' | 'commandGapMs'>>;
}

/** Our client on the simulator, with a fresh memory and SDR cache unless given, closed after the test. */
export function client(sim: SimulatedBmc, o: ClientSetup = {}): Bmc {
  const { without = [], figures = {}, ...rest } = o;
  const quirks = withoutQuirks({ ...DEFAULT_QUIRKS, ...figures }, ...without);
  const bmc = openBmc({
    host: '127.0.0.1',
    port: sim.port,
    username: 'admin',
    password: PASSWORD,
    timeoutMs: 600,
    retries: 2,
    learned: new HostQuirkMemory(),
    sdrCache: new MemorySdrCache(),
    ...rest,
    quirks,
  });
  open.push(bmc);
  return bmc;
}

/** The rejection of a promise that must fail. */
export async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    if (e instanceof Error) return e;
    throw e;
  }
  throw new Error('expected a failure');
}
