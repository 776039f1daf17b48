/**
 * What a rebalance plans from, read from the store: where each VM ran before the last sleep (the
 * moves that sleep carried out), and the measured CPU of each VM and host (the stored 5-minute
 * load samples of the last minutes). Reading changes nothing.
 */
import type { LoadSampleRepository, OperationRepository } from '../store/index.ts';
import type { OperationWithSteps } from '../store/index.ts';
import type { Migration } from '../planner/index.ts';

/** The pool-sleep kind, as pool-sleep.ts writes it (not imported: the wake imports this file's users). */
const POOL_SLEEP = 'pool-sleep';

/** How far back measured load is read: the last three buckets. */
export const LOAD_LOOKBACK_MS = 15 * 60_000;

export interface Origins {
  /** The sleep the origins come from; absent when the pool has none. */
  sleepOperationId?: string;
  /** VM → the host it ran on before that sleep moved it. */
  origins: Record<string, string>;
}

/**
 * The origins of the VMs the last sleep before `before` (ISO; default: any) actually moved: a
 * planned move that failed or was skipped moved nothing, and a VM moved twice keeps its first host.
 */
export async function lastSleepOrigins(store: OperationRepository, poolId: string, before?: string): Promise<Origins> {
  const ops = await store.listOperations(poolId, { order: 'newest', limit: 50 });
  const last = ops.find((o) => o.kind === POOL_SLEEP && (before === undefined || o.createdAt < before));
  if (!last) return { origins: {} };
  const op = (await store.getOperation(last.operationId)) as OperationWithSteps | undefined;
  const plan = op?.params?.plan as { migrations?: Migration[] } | undefined;
  const origins: Record<string, string> = {};
  const steps = [...(op?.steps ?? [])].filter((s) => s.name === 'migrate').sort((a, b) => a.index - b.index);
  for (const s of steps) {
    const wave = Number(s.detail?.wave);
    const moved = new Set(((s.detail?.moves as Array<{ vm: string; result: string }> | undefined) ?? []).filter((m) => m.result === 'done').map((m) => m.vm));
    for (const m of plan?.migrations ?? []) {
      if (m.wave !== wave || !moved.has(m.vmId) || origins[m.vmId] !== undefined) continue;
      origins[m.vmId] = m.from;
    }
  }
  return { sleepOperationId: last.operationId, origins };
}

export interface MeasuredLoad {
  /** VM → CPU demand in physical CPUs (busy fraction of its vCPUs × vCPUs), averaged. */
  vmCores: Map<string, number>;
  /** Host → CPU it uses beside its guests (dom0), in physical CPUs, averaged. */
  hostBaseCores: Map<string, number>;
  /** Buckets read. */
  buckets: number;
}

/** The pool's measured load over the lookback; VMs and hosts without samples are simply absent. */
export async function measuredLoad(store: LoadSampleRepository, poolId: string, now: number, vcpusOf: ReadonlyMap<string, number>, cpusOf: ReadonlyMap<string, number>): Promise<MeasuredLoad> {
  const samples = await store.listPoolLoad(poolId, { since: new Date(now - LOAD_LOOKBACK_MS).toISOString() });
  const vm = new Map<string, number[]>();
  const base = new Map<string, number[]>();
  for (const s of samples) {
    let guests = 0;
    for (const v of s.vms) {
      if (v.hostCpuPercent !== null) guests += v.hostCpuPercent;
      if (!v.vmId || v.cpuPercent === null) continue;
      const vcpus = vcpusOf.get(v.vmId);
      if (vcpus === undefined) continue;
      vm.set(v.vmId, [...(vm.get(v.vmId) ?? []), (v.cpuPercent / 100) * vcpus]);
    }
    const cpus = cpusOf.get(s.hostId);
    if (s.host.cpuPercent !== null && cpus !== undefined) base.set(s.hostId, [...(base.get(s.hostId) ?? []), (Math.max(0, s.host.cpuPercent - guests) / 100) * cpus]);
  }
  const avg = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    vmCores: new Map([...vm].map(([k, xs]) => [k, avg(xs)])),
    hostBaseCores: new Map([...base].map(([k, xs]) => [k, avg(xs)])),
    buckets: new Set(samples.map((s) => s.at)).size,
  };
}
