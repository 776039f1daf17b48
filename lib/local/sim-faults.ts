/**
 * The local runner's fault control: one switchboard over the simulated pool (XAPI faults), the
 * simulated BMCs (silent, foreign identity) and the runner's own worker (killed inside a step),
 * for the fault matrix and for anyone who wants to watch lowpower handle trouble. Served as
 * `GET|POST /v1/sim/faults` by the local runner only, and as `lowpower sim fault`.
 */
import type { MixedFleet } from '../sim/index.ts';
import { isXapiFaultName, type XapiSim } from '../sim/index.ts';
import type { Route } from '../api/index.ts';
import { ApiError } from '../api/index.ts';
import { objectBody } from '../api/index.ts';

export const FAULT_NAMES = ['xapi-down', 'bmc-silent', 'bmc-foreign', 'migration-fail', 'never-live', 'vm-start-during-drain', 'worker-kill-in-step'] as const;
export type FaultName = (typeof FAULT_NAMES)[number];

export const isFaultName = (v: unknown): v is FaultName => typeof v === 'string' && (FAULT_NAMES as readonly string[]).includes(v);

export interface FaultEntry {
  fault: FaultName;
  host: string | null;
  hits?: number;
}

/** The worker fault: the next step that begins (on the host, or any) dies after it acted, before its end is recorded. */
export class WorkerKillSwitch {
  private armed: Array<{ host: string | null; hits: number }> = [];

  set(on: boolean, host: string | null): void {
    this.armed = this.armed.filter((a) => a.host !== host);
    if (on) this.armed.push({ host, hits: 0 });
  }

  list(): FaultEntry[] {
    return this.armed.map((a) => ({ fault: 'worker-kill-in-step', host: a.host, hits: a.hits }));
  }

  /** True once per switch-on: this step's worker dies now. */
  strike(hostId: string | undefined): boolean {
    const a = this.armed.find((x) => x.hits === 0 && (x.host === null || x.host === hostId));
    if (!a) return false;
    a.hits++;
    return true;
  }
}

export class WorkerKilledError extends Error {
  constructor(step: string) {
    super(`the worker was killed inside step ${step} (simulated fault worker-kill-in-step)`);
  }
}

export class LocalFaults {
  private readonly foreign = new Set<string>();
  readonly worker = new WorkerKillSwitch();

  constructor(
    private readonly fleet: MixedFleet,
    private readonly xapi: XapiSim,
  ) {}

  private bmcsOf(host: string | null) {
    const bmcs = host === null ? this.fleet.bmcs : this.fleet.bmcs.filter((b) => b.name === host);
    if (bmcs.length === 0) throw new ApiError(404, 'unknown_host', `no simulated BMC for host ${host}`);
    return bmcs;
  }

  set(fault: FaultName, on: boolean, host: string | null): void {
    if (fault === 'bmc-silent') {
      for (const b of this.bmcsOf(host)) b.silent = on;
    } else if (fault === 'bmc-foreign') {
      // The host's BMC answers with another machine's identity (serials and GUID).
      for (const b of this.bmcsOf(host)) {
        b.foreign = on;
        if (on) this.foreign.add(b.name);
        else this.foreign.delete(b.name);
      }
    } else if (fault === 'worker-kill-in-step') {
      this.worker.set(on, host);
    } else if (isXapiFaultName(fault)) {
      if (fault === 'xapi-down' && host !== null) throw new ApiError(400, 'bad_fault', 'xapi-down is pool-wide: give no host');
      try {
        this.xapi.faults.set(fault, on, host ?? undefined);
      } catch (e) {
        throw new ApiError(400, 'bad_fault', e instanceof Error ? e.message : String(e));
      }
    }
  }

  list(): FaultEntry[] {
    const out: FaultEntry[] = this.xapi.faults.list().map((f) => ({ fault: f.name, host: f.host ?? null, hits: f.hits }));
    for (const b of this.fleet.bmcs) if (b.silent) out.push({ fault: 'bmc-silent', host: b.name });
    for (const h of this.foreign) out.push({ fault: 'bmc-foreign', host: h });
    return [...out, ...this.worker.list()];
  }

  clear(): void {
    for (const f of this.list()) this.set(f.fault, false, f.host);
  }
}

/** The routes the local runner adds: the fault control, admin only. */
export function simFaultRoutes(faults: LocalFaults): Route[] {
  return [
    {
      method: 'GET',
      path: '/v1/sim/faults',
      role: 'admin',
      summary: 'the simulator faults that are on (local runner only)',
      run: async () => ({ status: 200, body: { faults: faults.list(), names: FAULT_NAMES } }),
    },
    {
      method: 'POST',
      path: '/v1/sim/faults',
      role: 'admin',
      summary: 'switch a simulator fault on or off, pool-wide or for one host (local runner only)',
      async run(ctx, req) {
        const b = objectBody(req);
        if (!isFaultName(b.fault)) throw new ApiError(400, 'bad_fault', `fault must be one of ${FAULT_NAMES.join(', ')}`, { field: 'fault' });
        if (typeof b.on !== 'boolean') throw new ApiError(400, 'bad_fault', 'on must be true or false', { field: 'on' });
        if (b.host !== undefined && typeof b.host !== 'string') throw new ApiError(400, 'bad_fault', 'host must be a host id', { field: 'host' });
        faults.set(b.fault, b.on, (b.host as string | undefined) ?? null);
        ctx.log?.('sim-fault', { fault: b.fault, on: b.on, host: b.host, by: req.actor });
        return { status: 200, body: { faults: faults.list() } };
      },
    },
  ];
}
