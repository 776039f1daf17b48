/** Helpers for the lib/xen tests: hosts with a real HostModel behind them, small pools, polling. */
import { HostModel, FAST_TIMINGS, type HostTimings } from '../../lib/sim/ipmi/host-model.ts';
import { systemClock } from '../../lib/sim/ipmi/clock.ts';
import { GiB, startXapiSim, type SimHostSpec, type SimVmSpec, type XapiSim, type XapiSimOptions } from '../../lib/sim/xen/index.ts';
import { XapiClient, type XapiClientOptions } from '../../lib/xen/index.ts';

export const USER = 'root';
export const PASSWORD = 'pool-secret-9f3a';

export function hostModel(timings: Partial<HostTimings> = {}, initiallyOn = true): HostModel {
  return new HostModel(systemClock, {
    timings: { ...FAST_TIMINGS, ...timings },
    peakWatts: 400,
    idleFraction: 0.6,
    standbyWatts: 12,
    inletC: 22,
    load: 0.1,
    initiallyOn,
    osRefusesSoftOff: false,
  });
}

export interface SmallPool {
  sim: XapiSim;
  models: Map<string, HostModel>;
}

/** Three 64 GiB hosts (h1 master) and the VMs given, HA off unless asked; `hostExtras` adds spec fields per host. */
export async function smallPool(
  vms: SimVmSpec[],
  extra: Partial<XapiSimOptions> = {},
  hostNames = ['h1', 'h2', 'h3'],
  hostExtras: Record<string, Partial<Omit<SimHostSpec, 'name' | 'power'>>> = {},
): Promise<SmallPool> {
  const models = new Map(hostNames.map((n) => [n, hostModel()]));
  const sim = await startXapiSim({
    credentials: { user: USER, password: PASSWORD },
    pool: { name: 'test-pool' },
    hosts: hostNames.map((name, i) => ({ name, memoryBytes: 64 * GiB, cpus: 16, controlDomainMemoryBytes: 4 * GiB, power: models.get(name) as HostModel, master: i === 0, ...hostExtras[name] })),
    vms,
    migrateMs: 30,
    agentStartMs: 100,
    tickMs: 20,
    ...extra,
  });
  return { sim, models };
}

export function client(sim: { url: string }, o: Partial<XapiClientOptions> = {}): XapiClient {
  return new XapiClient({ url: sim.url, user: USER, password: PASSWORD, taskPollMs: 10, requestTimeoutMs: 5000, ...o });
}

/** Poll `check` until it returns true (or throw after `ms`). */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}

/** The rejection of a promise (fails the test when it resolves). */
export async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

export const gib = (n: number): number => n * GiB;
