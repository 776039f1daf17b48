/**
 * Which limit holds on a host that no sum needs: its VMs could go elsewhere by the totals, yet the
 * plan keeps it. Its VMs are placed, largest first, into the room the other open hosts have left in
 * the plan's final placement: with every limit; then without the CPU ceiling; then without the
 * vCPU overcommit either; then by memory alone. The first limit whose lifting lets them fit is the
 * one that held the host on; when none does, memory did (whole VMs need whole holes).
 * A first-fit placement over the roomiest hosts: it names the limit a simple placement runs into,
 * which is what the operator can act on, not a proof that no other placement exists.
 */
import { sharesAnti, type PackModel } from './model.ts';
import { EPSILON } from './packing.ts';
import type { Placement } from './ha-placement.ts';

/** The final placement's per-host loads, computed once for every host asked about. */
export interface FinalLoads {
  mem: Float64Array;
  cpu: Float64Array;
  cores: Float64Array;
  items: number[][];
  /** open hosts, the most free memory first */
  roomiest: number[];
}

export function finalLoads(model: PackModel, at: Placement): FinalLoads {
  const n = model.hostIds.length;
  const mem = new Float64Array(n);
  const cpu = new Float64Array(n);
  const cores = new Float64Array(n);
  const items: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < model.itemIds.length; i++) {
    const h = at.pos[i];
    if (h < 0) continue;
    mem[h] += model.mem[i];
    cpu[h] += model.cpu[i];
    cores[h] += model.cores[i];
    items[h].push(i);
  }
  const roomiest: number[] = [];
  for (let h = 0; h < n; h++) if (at.open[h] === 1) roomiest.push(h);
  roomiest.sort((a, b) => model.capMem[b] - mem[b] - (model.capMem[a] - mem[a]) || a - b);
  return { mem, cpu, cores, items, roomiest };
}

/** The limits a placement keeps (memory it always keeps). */
interface Limits {
  vcpus: boolean;
  ceiling: boolean;
  anti: boolean;
}

/** Could the VMs on host `h` all go to the other open hosts, under the limits `keep` names? */
function fitsElsewhere(model: PackModel, loads: FinalLoads, h: number, keep: Limits): boolean {
  const vms = [...loads.items[h]].sort((a, b) => model.mem[b] - model.mem[a] || a - b);
  const added = new Map<number, { mem: number; cpu: number; cores: number; items: number[] }>();
  for (const i of vms) {
    let placed = false;
    for (const t of loads.roomiest) {
      if (t === h) continue;
      const extra = added.get(t) ?? { mem: 0, cpu: 0, cores: 0, items: [] };
      if (loads.mem[t] + extra.mem + model.mem[i] > model.capMem[t] + EPSILON) {
        // The hosts come roomiest first (before this placement): once one is short, most after it are.
        if (extra.mem === 0) break;
        continue;
      }
      if (keep.vcpus && loads.cpu[t] + extra.cpu + model.cpu[i] > model.capCpu[t] + EPSILON) continue;
      if (keep.ceiling && loads.cores[t] + extra.cores + model.cores[i] > model.capCores[t] + EPSILON) continue;
      if (keep.anti && model.hasAnti && (loads.items[t].some((o) => sharesAnti(model, o, i)) || extra.items.some((o) => sharesAnti(model, o, i)))) continue;
      extra.mem += model.mem[i];
      extra.cpu += model.cpu[i];
      extra.cores += model.cores[i];
      extra.items.push(i);
      added.set(t, extra);
      placed = true;
      break;
    }
    if (!placed) return false;
  }
  return true;
}

/** Why a host no sum needs stays on: memory, CPU (the ceiling, or the vCPU overcommit) or a rule (anti-affinity). */
export type Blocking = 'memory' | 'ceiling' | 'vcpus' | 'anti-affinity';

/**
 * The limit that holds host `h` on (see the top). When its VMs fit elsewhere under every limit
 * (the search ran out of budget, or the HA fit wanted the host), memory is named, as "needed for
 * capacity" always did.
 */
export function blockingLimit(model: PackModel, loads: FinalLoads, h: number): Blocking {
  if (loads.items[h].length === 0 || fitsElsewhere(model, loads, h, { vcpus: true, ceiling: true, anti: true })) return 'memory';
  if (model.coresActive && fitsElsewhere(model, loads, h, { vcpus: true, ceiling: false, anti: true })) return 'ceiling';
  if (fitsElsewhere(model, loads, h, { vcpus: false, ceiling: false, anti: true })) return 'vcpus';
  if (model.hasAnti && fitsElsewhere(model, loads, h, { vcpus: false, ceiling: false, anti: false })) return 'anti-affinity';
  return 'memory';
}
