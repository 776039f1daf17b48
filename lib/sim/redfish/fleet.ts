/**
 * A fleet of simulated Redfish BMCs in one process, on loopback TCP ports, as lib/sim/ipmi/fleet.ts
 * starts IPMI ones: one machine per name, its identity simIdentityFor(name) (so a simulated pool's
 * bios_strings match whichever protocol its BMC speaks), one password and one certificate for all.
 * Each BMC's `power` is the HostPowerLink a simulated XAPI host lives and dies by.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { writeInventory } from '../../fleet/index.ts';
import { seededRandom } from '../../util/index.ts';
import type { Clock } from '../ipmi/clock.ts';
import type { HostTimings } from '../ipmi/host-model.ts';
import { createSelfSignedCertificate, type SimCertificate } from './certificate.ts';
import type { RedfishFaults } from './faults.ts';
import { RedfishBmc } from './server.ts';
import type { RedfishVariant } from './state.ts';

export interface RedfishFleetOptions {
  /** Host names (default host-001, host-002, ... for `count`). */
  names?: string[];
  count?: number;
  /** First port; BMC i listens on basePort + i. 0 or absent: free ports. */
  basePort?: number;
  address?: string;
  /** Seed of the machines' loads, inlet temperatures and peak watts (default 1). */
  seed?: number;
  timings?: HostTimings | 'fast' | 'realistic';
  variant?: RedfishVariant;
  asyncReset?: boolean;
  /** HTTPS (default) or plain HTTP. */
  tls?: boolean;
  /** One password for every BMC (random per fleet by default); user "admin". */
  password?: string;
  sessionLimit?: number;
  faults?: RedfishFaults;
  clock?: Clock;
}

/** What a client needs to reach one BMC of the fleet (no password: that is the fleet's). */
export interface RedfishFleetEntry {
  name: string;
  url: string;
  host: string;
  port: number;
  user: string;
  /** SHA-256 fingerprint of the certificate, to pin it (HTTPS only). */
  fingerprint256?: string;
}

export interface RedfishFleet {
  bmcs: RedfishBmc[];
  password: string;
  /** The certificate every BMC of the fleet serves (HTTPS only). */
  certificate?: SimCertificate;
  entries(): RedfishFleetEntry[];
  byName(name: string): RedfishBmc | undefined;
  /**
   * Write the fleet inventory (lib/fleet/inventory.ts) and its password file (mode 0600) beside it,
   * as the IPMI fleet does; each entry also says `protocol: "redfish"`, its `url` and the
   * certificate's `fingerprint256`.
   */
  writeInventory(path: string): { inventory: string; passwordFile: string };
  stop(): Promise<void>;
}

/** A steady number from 0 to 1 per host name and seed, so a host's machine does not depend on its place in the list. */
function drawsFor(name: string, seed: number): () => number {
  let h = seed >>> 0;
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return seededRandom(h);
}

export async function startRedfishFleet(o: RedfishFleetOptions): Promise<RedfishFleet> {
  const names = o.names ?? Array.from({ length: o.count ?? 0 }, (_, i) => `host-${String(i + 1).padStart(3, '0')}`);
  if (names.length < 1 || names.length > 1000) throw new Error(`a Redfish fleet has 1 to 1000 BMCs, not ${names.length}`);
  if (new Set(names).size !== names.length) throw new Error('Redfish fleet: host names must be unique');
  const base = o.basePort ?? 0;
  if (base !== 0 && (!Number.isInteger(base) || base < 1024 || base + names.length - 1 > 65535)) {
    throw new Error(`Redfish fleet base port ${base}: the ports ${base}..${base + names.length - 1} must lie within 1024-65535`);
  }
  const seed = o.seed ?? 1;
  const password = o.password ?? randomBytes(12).toString('base64url');
  const certificate = o.tls === false ? undefined : createSelfSignedCertificate({ commonName: 'lowpower simulated Redfish fleet' });
  const bmcs: RedfishBmc[] = [];
  try {
    for (const [i, name] of names.entries()) {
      const rng = drawsFor(name, seed);
      const bmc = new RedfishBmc({
        name,
        password,
        port: base === 0 ? 0 : base + i,
        address: o.address,
        tls: o.tls,
        certificate,
        variant: o.variant,
        asyncReset: o.asyncReset,
        timings: o.timings,
        host: { load: 0.15 + rng() * 0.5, inletC: 20 + rng() * 5, peakWatts: 350 + Math.round(rng() * 150), initiallyOn: true },
        sessionLimit: o.sessionLimit,
        faults: o.faults ? { ...o.faults } : undefined,
        clock: o.clock,
        seed: seed * 100_003 + i,
      });
      await bmc.start();
      bmcs.push(bmc);
    }
  } catch (e) {
    await Promise.all(bmcs.map((b) => b.stop()));
    throw e;
  }
  const entriesOf = (): RedfishFleetEntry[] =>
    bmcs.map((b) => ({ name: b.name, url: b.url, host: o.address ?? '127.0.0.1', port: b.port, user: 'admin', ...(b.fingerprint256 ? { fingerprint256: b.fingerprint256 } : {}) }));
  return {
    bmcs,
    password,
    certificate,
    entries: entriesOf,
    byName: (name) => bmcs.find((b) => b.name === name),
    writeInventory(path: string) {
      const inventory = resolve(path);
      mkdirSync(dirname(inventory), { recursive: true });
      const passwordFile = join(dirname(inventory), `${basename(inventory).replace(/\.json$/, '')}.password`);
      writeFileSync(passwordFile, password + '\n', { mode: 0o600 });
      chmodSync(passwordFile, 0o600);
      writeInventory(inventory, entriesOf().map((e) => ({ ...e, protocol: 'redfish', passwordFile: basename(passwordFile) })));
      return { inventory, passwordFile };
    },
    async stop() {
      await Promise.all(bmcs.map((b) => b.stop()));
    },
  };
}
