/**
 * The fault matrix's safety invariants as pure checks over samples of the pool (every 20 ms) and
 * its state at the end of a case, so that a test can feed them made-up samples.
 */
import { planExistsFor, type HaHost } from '../sim/index.ts';

/** 1 VM on a host that is off; 2 host live and disabled, nobody says why; 3 cut through an unbound BMC; 4 HA; 5 not back after the wake; 6 operation without a worker. */
export type InvariantId = 1 | 2 | 3 | 4 | 5 | 6;

export const INVARIANTS: Record<InvariantId, string> = {
  1: 'no VM runs on a host whose chassis is off (nor goes down with its host)',
  2: 'no host left live and disabled without an open operation, a wait for XAPI, or an alert',
  3: 'no power cut through a BMC that is not bound to its host',
  4: 'HA failures-to-tolerate held',
  5: 'after the wake every host that slept is on and enabled, or an open alert names it',
  6: 'no operation left pending or running without a lease holder',
};

export interface Finding {
  invariant: InvariantId;
  /** Same key, same violation: a sample that shows it again only counts it. */
  key: string;
  text: string;
}

export interface SampleHost {
  id: string;
  /** The simulated BMC's chassis power. */
  chassisOn: boolean;
  /** host_metrics.live and host.enabled as XAPI has them. */
  live: boolean;
  enabled: boolean;
  /** host.compute_free_memory (0 when not live). */
  freeBytes: number;
  /** Memory of each HA-protected VM resident on (or arriving at) the host. */
  haVmBytes: number[];
}

export interface SampleVm {
  id: string;
  host: string | null;
  running: boolean;
}

/** The pool at one instant, as the simulators have it. */
export interface PoolSample {
  atMs: number;
  /** HA host failures to tolerate (0 when HA is off). */
  failuresToTolerate: number;
  hosts: SampleHost[];
  vms: SampleVm[];
}

/** Invariants 1 and 4 on one sample; with the previous sample, a VM that went down with its host too. */
export function checkSample(s: PoolSample, previous?: PoolSample): Finding[] {
  const out: Finding[] = [];
  const host = new Map(s.hosts.map((h) => [h.id, h]));
  for (const vm of s.vms) {
    if (vm.running && vm.host && host.get(vm.host)?.chassisOn === false) {
      out.push({ invariant: 1, key: `running-on-off:${vm.id}:${vm.host}`, text: `${vm.id} is Running on ${vm.host}, whose chassis is off` });
    }
  }
  if (previous) {
    const now = new Map(s.vms.map((v) => [v.id, v]));
    for (const before of previous.vms) {
      if (!before.running || !before.host) continue;
      const after = now.get(before.id);
      const h = host.get(before.host);
      if (after && !after.running && h && (!h.live || !h.chassisOn)) {
        out.push({ invariant: 1, key: `down-with-host:${before.id}:${before.host}`, text: `${before.id} was Running on ${before.host} and halted as the host went down (live ${h.live}, chassis ${h.chassisOn ? 'on' : 'off'})` });
      }
    }
  }
  if (s.failuresToTolerate > 0) {
    const ha: HaHost[] = s.hosts.map((h) => ({ id: h.id, live: h.live, enabled: h.enabled, freeBytes: h.live ? h.freeBytes : 0, vmBytes: h.haVmBytes }));
    if (!planExistsFor(ha, s.failuresToTolerate)) {
      const live = s.hosts.filter((h) => h.live);
      const shape = live.map((h) => `${h.id}${h.enabled ? '' : ' (disabled)'} free ${gib(h.freeBytes)} GiB, protected ${gib(h.haVmBytes.reduce((a, b) => a + b, 0))} GiB`).join('; ');
      out.push({ invariant: 4, key: `ha:${live.map((h) => `${h.id}${h.enabled ? '' : '-'}`).join(',')}`, text: `no HA plan for ${s.failuresToTolerate} host failure(s): ${shape}` });
    }
  }
  return out;
}

const gib = (b: number): number => Math.round((b / 1024 ** 3) * 10) / 10;

export interface EndHost {
  id: string;
  chassisOn: boolean;
  live: boolean;
  enabled: boolean;
  /** The store's awaitingEnable: a wake powered it on while XAPI did not answer. */
  awaitingEnable: boolean;
}

export interface EndOperation {
  id: string;
  kind: string;
  state: string;
  leaseOwner?: string;
  leaseExpiresAt?: number;
}

/** The pool at the end of a case: the simulators, the store's operations and open alerts. */
export interface EndState {
  /** Epoch ms of the look. */
  now: number;
  xapiUp: boolean;
  hosts: EndHost[];
  operations: EndOperation[];
  /** The text of each open alert with the host it names. */
  openAlerts: Array<{ hostId: string; kind: string; message: string }>;
  /** Hosts whose chassis was seen off during the case (the ones that slept, or tried to). */
  slept: string[];
}

export const OPEN = new Set(['pending', 'running']);

/**
 * Invariants 2, 5 and 6 at the end. "Open" for invariant 2: some operation of the pool is still
 * pending or running, or the host waits for XAPI to come back (awaitingEnable while XAPI is down),
 * or an open alert names the host (it has been said).
 */
export function checkEnd(e: EndState): Finding[] {
  const out: Finding[] = [];
  const named = (id: string): boolean => e.openAlerts.some((a) => a.hostId === id || a.message.includes(id));
  const openOps = e.operations.filter((o) => OPEN.has(o.state));
  for (const h of e.hosts) {
    if (!h.live || h.enabled) continue;
    if (openOps.length || (h.awaitingEnable && !e.xapiUp) || named(h.id)) continue;
    out.push({ invariant: 2, key: `live-disabled:${h.id}`, text: `${h.id} is live and disabled with no open operation, no wait for XAPI${h.awaitingEnable ? ' (awaitingEnable, but XAPI is up)' : ''} and no open alert` });
  }
  for (const id of e.slept) {
    const h = e.hosts.find((x) => x.id === id);
    if (h && h.chassisOn && h.live && h.enabled) continue;
    if (named(id)) continue;
    const state = h ? `chassis ${h.chassisOn ? 'on' : 'off'}, ${h.live ? 'live' : 'not live'}, ${h.enabled ? 'enabled' : 'disabled'}` : 'unknown to XAPI';
    out.push({ invariant: 5, key: `not-back:${id}`, text: `${id} slept and is not back after the wake (${state}), and no open alert names it` });
  }
  for (const o of openOps) {
    if (o.leaseOwner && (o.leaseExpiresAt ?? 0) > e.now) continue;
    out.push({ invariant: 6, key: `ownerless:${o.id}`, text: `${o.kind} ${o.id.slice(0, 8)} is ${o.state} with no lease holder${o.leaseOwner ? ` (lease of ${o.leaseOwner} lapsed ${e.now - (o.leaseExpiresAt ?? 0)} ms ago)` : ''}` });
  }
  return out;
}

export interface CutCounts {
  off: number;
  soft: number;
  cycle: number;
}

/** A stretch of time in which a host's BMC must not cut: it answered as another machine, or its stored binding was not bound. */
export interface CutWindow {
  host: string;
  why: string;
  before: CutCounts;
  after: CutCounts;
}

/** Invariant 3: any chassis off, soft off or cycle (a BMC command, or XAPI's host.shutdown) in such a window. */
export function checkCuts(windows: CutWindow[]): Finding[] {
  const out: Finding[] = [];
  for (const w of windows) {
    const cuts = (['off', 'soft', 'cycle'] as const).filter((k) => w.after[k] > w.before[k]).map((k) => `${w.after[k] - w.before[k]} ${k}`);
    if (cuts.length) out.push({ invariant: 3, key: `cut:${w.host}:${w.why}`, text: `${w.host}: ${cuts.join(', ')} while ${w.why}` });
  }
  return out;
}

// ------------------------------------------------------------------------------------ the results
