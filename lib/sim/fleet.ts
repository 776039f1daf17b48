/**
 * A simulated fleet of either protocol, or both: host i gets one BMC on port basePort + i (UDP for
 * IPMI, TCP for Redfish), so a mixed rack still reads as one port range. In a mixed fleet every
 * second host speaks Redfish (host-002, host-004, ...). Each BMC is seen through one face whatever
 * its protocol: its name, where it is, the machine behind it (HostModel: power, heat, watts) and
 * the two faults the local runner switches (silent, foreign identity).
 */
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { SimulatedBmc } from './ipmi/server.ts';
import { FAST_TIMINGS, REALISTIC_TIMINGS, type HostModel, type HostTimings } from './ipmi/host-model.ts';
import { simIdentityFor, type SimIdentity } from './ipmi/identity.ts';
import { RedfishBmc, createSelfSignedCertificate } from './redfish/index.ts';
import { seededRandom } from '../util/index.ts';
import { writeInventory, type InventoryEntry } from '../fleet/index.ts';

export type SimProtocol = 'ipmi' | 'redfish';
export type FleetProtocol = SimProtocol | 'mixed';

export interface SimBmc {
  readonly name: string;
  readonly protocol: SimProtocol;
  readonly address: string;
  readonly port: number;
  /** Redfish: https://address:port. */
  readonly url?: string;
  /** Redfish: the SHA-256 fingerprint of the certificate it serves. */
  readonly fingerprint256?: string;
  /** The machine behind the BMC: its power, temperatures and draw (also the simulated XAPI host's life). */
  readonly host: HostModel;
  /** Answers nothing while set. */
  silent: boolean;
  /** Answers with another machine's identity (serials, GUID) while set. */
  foreign: boolean;
  /** Requests left unanswered because the BMC was silent. */
  readonly dropped: number;
  /** The machine's own identity (serials, GUID): what the BMC answers when it is not foreign. */
  identity: SimIdentity;
  /** The chassis power restore policy as the BMC has it now. */
  readonly restorePolicy: 'previous' | 'always-off' | 'always-on';
  /** Mains power lost and back: the machine comes back on or stays off by its restore policy. */
  powerFeedOutage(): 'on' | 'off';
  stop(): Promise<void>;
}

export interface MixedFleetOptions {
  count: number;
  basePort: number;
  protocol?: FleetProtocol;
  address?: string;
  seed?: number;
  timings?: HostTimings | 'fast' | 'realistic';
  /** One password for every BMC, user admin (random per fleet by default). */
  password?: string;
  /** Faults of the whole fleet: drop (IPMI packets), delay (both), busy (IPMI 0xC0; Redfish 503). */
  faults?: { drop?: number; delayMs?: number; busy?: number };
}

export interface MixedFleet {
  bmcs: SimBmc[];
  password: string;
  byName(name: string): SimBmc | undefined;
  /** Write the inventory (entries carry `protocol`, and for Redfish `url` and `fingerprint256`) and its password file (0600). */
  writeInventory(path: string): { inventory: string; passwordFile: string };
  stop(): Promise<void>;
}

/** Which protocol host i (from 0) speaks in a fleet of this kind. */
export const protocolAt = (kind: FleetProtocol, i: number): SimProtocol => (kind === 'mixed' ? (i % 2 === 1 ? 'redfish' : 'ipmi') : kind);

const nameAt = (i: number): string => `host-${String(i + 1).padStart(3, '0')}`;

function ipmiFace(b: SimulatedBmc, address: string): SimBmc {
  let foreign = false;
  let own = b.state.identity;
  let drops = 0;
  const silentNow = (): boolean => {
    // Looked at through its descriptor: reading the counting getter would count a drop.
    const d = Object.getOwnPropertyDescriptor(b.faults, 'silent');
    return d ? (d.get !== undefined ? true : d.value === true) : false;
  };
  return {
    name: b.name,
    protocol: 'ipmi',
    address,
    get port() {
      return b.port;
    },
    get host() {
      return b.state.host;
    },
    get silent() {
      return silentNow();
    },
    set silent(on: boolean) {
      // The engine asks `silent` once per packet: a getter there counts the packets dropped.
      const next = {} as SimulatedBmc['faults'];
      for (const [k, d] of Object.entries(Object.getOwnPropertyDescriptors(b.faults))) if (k !== 'silent') Object.defineProperty(next, k, d);
      if (on) Object.defineProperty(next, 'silent', { get: () => (drops++, true), enumerable: true, configurable: true });
      b.faults = next;
    },
    get dropped() {
      return drops;
    },
    get foreign() {
      return foreign;
    },
    set foreign(on: boolean) {
      foreign = on;
      b.state.identity = on ? simIdentityFor(`foreign-${b.name}`) : own;
    },
    get identity() {
      return own;
    },
    set identity(id: SimIdentity) {
      own = id;
      if (!foreign) b.state.identity = id;
    },
    get restorePolicy() {
      return b.state.restorePolicy;
    },
    powerFeedOutage: () => b.state.powerFeedOutage(),
    stop: () => b.stop(),
  };
}

function redfishFace(b: RedfishBmc, address: string): SimBmc {
  return {
    name: b.name,
    protocol: 'redfish',
    address,
    get port() {
      return b.port;
    },
    get url() {
      return b.url;
    },
    get fingerprint256() {
      return b.fingerprint256;
    },
    get host() {
      return b.host;
    },
    get silent() {
      return b.faults.silent === true;
    },
    set silent(on: boolean) {
      b.faults = { ...b.faults, silent: on };
    },
    get foreign() {
      return b.faults.foreign === true;
    },
    set foreign(on: boolean) {
      b.faults = { ...b.faults, foreign: on };
    },
    get dropped() {
      return b.counters.held;
    },
    get identity() {
      return b.state.ownIdentity;
    },
    set identity(id: SimIdentity) {
      b.state.ownIdentity = id;
    },
    get restorePolicy() {
      const p = b.state.settings.powerRestorePolicy;
      return p === 'AlwaysOff' ? 'always-off' : p === 'AlwaysOn' ? 'always-on' : 'previous';
    },
    powerFeedOutage: () => b.state.powerFeedOutage(),
    stop: () => b.stop(),
  };
}

export async function startMixedFleet(o: MixedFleetOptions): Promise<MixedFleet> {
  const kind = o.protocol ?? 'ipmi';
  if (!Number.isInteger(o.count) || o.count < 1 || o.count > 5000) throw new Error(`--count ${o.count}: give 1 to 5000 BMCs`);
  if (!Number.isInteger(o.basePort) || o.basePort < 1024 || o.basePort + o.count - 1 > 65535) {
    throw new Error(`--bmc-base-port ${o.basePort}: the ports ${o.basePort}..${o.basePort + o.count - 1} must lie within 1024-65535`);
  }
  const address = o.address ?? '127.0.0.1';
  const seed = o.seed ?? 1;
  const rng = seededRandom(seed);
  const password = o.password ?? randomBytes(12).toString('base64url');
  const hostTimings = o.timings === 'realistic' ? REALISTIC_TIMINGS : o.timings === 'fast' || o.timings === undefined ? FAST_TIMINGS : o.timings;
  const certificate = kind === 'ipmi' ? undefined : createSelfSignedCertificate({ commonName: 'lowpower simulated fleet' });
  const bmcs: SimBmc[] = [];
  try {
    for (let i = 0; i < o.count; i++) {
      const name = nameAt(i);
      // The same draws as the IPMI fleet has always taken, so a seed gives the same machines.
      for (let b = 0; b < 16; b++) rng();
      const machine = { load: 0.15 + rng() * 0.5, inletC: 20 + rng() * 5, peakWatts: 350 + Math.round(rng() * 150), initiallyOn: true };
      const port = o.basePort + i;
      if (protocolAt(kind, i) === 'ipmi') {
        const faults = o.faults ? { drop: o.faults.drop, delayMs: o.faults.delayMs, busy: o.faults.busy } : undefined;
        const bmc = new SimulatedBmc({ name, port, address, seed: seed * 100_003 + i, identity: simIdentityFor(name), adminPassword: password, ip: `192.0.2.${(i % 250) + 2}`, host: { timings: hostTimings, ...machine }, faults });
        await bmc.start();
        bmcs.push(ipmiFace(bmc, address));
      } else {
        const faults = o.faults ? { delayMs: o.faults.delayMs, serverErrors: o.faults.busy, serverErrorStatus: 503 as const } : undefined;
        const bmc = new RedfishBmc({ name, password, port, address, certificate, timings: o.timings ?? 'fast', host: machine, seed: seed * 100_003 + i, faults });
        await bmc.start();
        bmcs.push(redfishFace(bmc, address));
      }
    }
  } catch (e) {
    await Promise.all(bmcs.map((b) => b.stop()));
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`port ${o.basePort + bmcs.length} is in use: choose another --bmc-base-port`);
    }
    throw e;
  }
  const entries = (passwordFile: string): InventoryEntry[] =>
    bmcs.map((b) =>
      b.protocol === 'ipmi'
        ? { name: b.name, host: b.address, port: b.port, user: 'admin', passwordFile, protocol: 'ipmi' }
        : { name: b.name, host: b.address, port: b.port, user: 'admin', passwordFile, protocol: 'redfish', url: b.url, ...(b.fingerprint256 ? { fingerprint256: b.fingerprint256 } : {}) },
    );
  return {
    bmcs,
    password,
    byName: (name) => bmcs.find((b) => b.name === name),
    writeInventory(path: string) {
      const inventory = resolve(path);
      mkdirSync(dirname(inventory), { recursive: true });
      const passwordFile = join(dirname(inventory), `${basename(inventory).replace(/\.json$/, '')}.password`);
      writeFileSync(passwordFile, password + '\n', { mode: 0o600 });
      chmodSync(passwordFile, 0o600);
      writeInventory(inventory, entries(basename(passwordFile)));
      return { inventory, passwordFile };
    },
    async stop() {
      await Promise.all(bmcs.map((b) => b.stop()));
    },
  };
}
