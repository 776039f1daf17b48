/**
 * A fleet of simulated BMCs in one process, on consecutive loopback ports, and the inventory file
 * that the other commands and the local runner read. Each BMC's identity (serials, GUID) is
 * simIdentityFor(its name), so a simulated pool can report the same serials in bios_strings.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { seededRandom } from '../../util/index.ts';
import { FAST_TIMINGS, REALISTIC_TIMINGS, type HostTimings } from './host-model.ts';
import { SimulatedBmc } from './server.ts';
import { simIdentityFor } from './identity.ts';
import type { Faults } from './faults.ts';
import type { Clock } from './clock.ts';
import type { SimQuirks } from './quirk-modes.ts';
export { simIdentityFor, type SimIdentity } from './identity.ts';
import { writeInventory, type InventoryEntry } from '../../fleet/index.ts';

export interface SimFleetOptions {
  count: number;
  basePort: number;
  seed?: number;
  address?: string;
  timings?: HostTimings | 'fast' | 'realistic';
  faults?: Faults;
  sessionSlots?: number;
  clock?: Clock;
  /** One password for every BMC (random per fleet by default). */
  password?: string;
  /** Quirk modes for every BMC of the fleet (quirk-modes.ts). */
  quirks?: SimQuirks;
}

export interface SimFleet {
  bmcs: SimulatedBmc[];
  password: string;
  /** Write the inventory and its password file (mode 0600) beside it. */
  writeInventory(path: string): { inventory: string; passwordFile: string };
  stop(): Promise<void>;
}

export async function startSimFleet(o: SimFleetOptions): Promise<SimFleet> {
  if (!Number.isInteger(o.count) || o.count < 1 || o.count > 5000) throw new Error(`--count ${o.count}: give 1 to 5000 BMCs`);
  if (!Number.isInteger(o.basePort) || o.basePort < 1024 || o.basePort + o.count - 1 > 65535) {
    throw new Error(`--base-port ${o.basePort}: the ports ${o.basePort}..${o.basePort + o.count - 1} must lie within 1024-65535`);
  }
  const seed = o.seed ?? 1;
  const rng = seededRandom(seed);
  const password = o.password ?? randomBytes(12).toString('base64url');
  const timings = o.timings === 'realistic' ? REALISTIC_TIMINGS : o.timings === 'fast' || o.timings === undefined ? FAST_TIMINGS : o.timings;
  const bmcs: SimulatedBmc[] = [];
  try {
    for (let i = 0; i < o.count; i++) {
      const name = `host-${String(i + 1).padStart(3, '0')}`;
      // The GUID comes from the name now; the 16 draws that made it before are still taken, so a
      // seed gives the same loads and temperatures as it did.
      for (let b = 0; b < 16; b++) rng();
      const bmc = new SimulatedBmc({
        name,
        port: o.basePort + i,
        address: o.address ?? '127.0.0.1',
        seed: seed * 100_003 + i,
        identity: simIdentityFor(name),
        adminPassword: password,
        sessionSlots: o.sessionSlots,
        faults: o.faults ? { ...o.faults } : undefined,
        quirks: o.quirks,
        clock: o.clock,
        ip: `192.0.2.${(i % 250) + 2}`,
        host: { timings, load: 0.15 + rng() * 0.5, inletC: 20 + rng() * 5, peakWatts: 350 + Math.round(rng() * 150), initiallyOn: true },
      });
      await bmc.start();
      bmcs.push(bmc);
    }
  } catch (e) {
    await Promise.all(bmcs.map((b) => b.stop()));
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new Error(`port ${o.basePort + bmcs.length} is in use: choose another --base-port`);
    throw e;
  }
  const address = o.address ?? '127.0.0.1';
  const entries = (passwordFile: string): InventoryEntry[] =>
    bmcs.map((b) => ({ name: b.name, host: address, port: b.port, user: 'admin', passwordFile }));
  return {
    bmcs,
    password,
    writeInventory(path: string) {
      const inventory = resolve(path);
      mkdirSync(dirname(inventory), { recursive: true });
      const passwordFile = join(dirname(inventory), `${inventory.replace(/^.*\//, '').replace(/\.json$/, '')}.password`);
      writeFileSync(passwordFile, password + '\n', { mode: 0o600 });
      chmodSync(passwordFile, 0o600);
      writeInventory(inventory, entries(passwordFile.replace(/^.*\//, '')));
      return { inventory, passwordFile };
    },
    async stop() {
      await Promise.all(bmcs.map((b) => b.stop()));
    },
  };
}
