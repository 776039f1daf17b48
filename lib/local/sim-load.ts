/**
 * The local runner's load control: push a simulated VM (or all) to a CPU (and memory) percentage
 * from now on, or go back to the day/night model. `POST /v1/sim/load`, admin, local runner only
 * (beside the fault control), and `lowpower sim load`. A bad request changes nothing.
 */
import type { XapiSim } from '../sim/index.ts';
import { ApiError, objectBody, type Route } from '../api/index.ts';

export type SimLoadRequest = { reset: true } | { vm: string; cpuPercent: number; memoryPercent?: number };

const percent = (what: string, v: unknown): number => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 100) throw new ApiError(400, 'bad_load', `${what} must be a number from 0 to 100`, { field: what });
  return v;
};

/** The body read and checked: `{reset: true}` or `{vm, cpuPercent, memoryPercent?}`. */
export function parseSimLoad(b: Record<string, unknown>): SimLoadRequest {
  if ('reset' in b) {
    if (b.reset !== true || Object.keys(b).length !== 1) throw new ApiError(400, 'bad_load', 'a reset is {"reset": true} and nothing else', { field: 'reset' });
    return { reset: true };
  }
  for (const k of Object.keys(b)) if (!['vm', 'cpuPercent', 'memoryPercent'].includes(k)) throw new ApiError(400, 'bad_load', `${k} is not a load setting (vm, cpuPercent, memoryPercent)`, { field: k });
  if (typeof b.vm !== 'string' || b.vm === '') throw new ApiError(400, 'bad_load', 'vm must be a VM name, a VM uuid or "all"', { field: 'vm' });
  const r: SimLoadRequest = { vm: b.vm, cpuPercent: percent('cpuPercent', b.cpuPercent) };
  if (b.memoryPercent !== undefined) r.memoryPercent = percent('memoryPercent', b.memoryPercent);
  return r;
}

export function simLoadRoutes(xapi: XapiSim): Route[] {
  return [
    {
      method: 'POST',
      path: '/v1/sim/load',
      role: 'admin',
      summary: 'push a simulated VM (or all) to a load, or reset to the day/night model (local runner only)',
      async run(ctx, req) {
        const r = parseSimLoad(objectBody(req));
        if ('reset' in r) {
          xapi.resetLoad();
          ctx.log?.('sim-load', { reset: true, by: req.actor });
          return { status: 200, body: { reset: true } };
        }
        let vms: string[];
        try {
          vms = xapi.setLoad(r);
        } catch (e) {
          const message = e instanceof Error ? e.message : String(e);
          throw new ApiError(/no VM named/.test(message) ? 404 : 400, /no VM named/.test(message) ? 'unknown_vm' : 'bad_load', message, { field: 'vm' });
        }
        ctx.log?.('sim-load', { vm: r.vm, cpuPercent: r.cpuPercent, memoryPercent: r.memoryPercent, vms: vms.length, by: req.actor });
        return { status: 200, body: { vms, cpuPercent: r.cpuPercent, ...(r.memoryPercent === undefined ? {} : { memoryPercent: r.memoryPercent }) } };
      },
    },
  ];
}
