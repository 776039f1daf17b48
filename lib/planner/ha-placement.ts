/**
 * The HA fit (ha-fit.ts) of a consolidation: the open hosts of the model with the VMs where the
 * placement puts them, plus the disabled hosts with their VMs (they may fail, and take nothing).
 * Used by the search to accept a closing, by the baseline, and for the keep reasons.
 */
import { describeFitFailure, findFitFailure, type FitFailure, type FitView } from './ha-fit.ts';
import type { PackModel } from './model.ts';

export interface Placement {
  readonly open: Uint8Array;
  /** host index of each VM of the model (a VM in the pool, -1, counts nowhere) */
  readonly pos: Int32Array;
  /** bumped whenever a host's contents change (Packing's): lets sorted VM sizes be kept between checks */
  readonly version?: Uint32Array;
}

/** Per placement, per host: the VM sizes sorted largest first, and the version they are for. */
const sortedCache = new WeakMap<Placement, Map<number, { version: number; sizes: Float64Array }>>();

/** The view of the open hosts (less the room of host `withhold`, which stays live with its VMs). */
export function placementView(model: PackModel, at: Placement, withhold = -1): FitView {
  const n = model.hostIds.length;
  const m = model.itemIds.length;
  const slot = new Int32Array(n).fill(-1);
  const hosts: number[] = [];
  for (let h = 0; h < n; h++) {
    if (at.open[h] === 0) continue;
    slot[h] = hosts.length;
    hosts.push(h);
  }
  const openCount = hosts.length;
  const count = openCount + model.disabledIds.length;
  const load = new Float64Array(count);
  const largest = new Float64Array(count);
  for (let i = 0; i < m; i++) {
    const p = at.pos[i];
    if (p < 0 || slot[p] < 0) continue;
    const k = slot[p];
    load[k] += model.mem[i];
    if (model.mem[i] > largest[k]) largest[k] = model.mem[i];
  }
  model.disabledItems.forEach((items, d) => {
    for (const j of items) {
      load[openCount + d] += model.disabledVmMem[j];
      largest[openCount + d] = Math.max(largest[openCount + d], model.disabledVmMem[j]);
    }
  });
  const room = new Float64Array(count);
  for (let k = 0; k < openCount; k++) room[k] = hosts[k] === withhold ? 0 : model.capMem[hosts[k]] - load[k];
  // VM keys: model items 0..m-1, then the disabled hosts' VMs.
  let buckets: number[][] | undefined;
  const vmsOf = (k: number): readonly number[] => {
    if (k >= openCount) return model.disabledItems[k - openCount].map((j) => m + j);
    if (!buckets) {
      const b: number[][] = Array.from({ length: openCount }, () => []);
      for (let i = 0; i < m; i++) {
        const p = at.pos[i];
        if (p >= 0 && slot[p] >= 0) b[slot[p]].push(i);
      }
      buckets = b;
    }
    return buckets[k];
  };
  const cache = at.version ? (sortedCache.get(at) ?? new Map<number, { version: number; sizes: Float64Array }>()) : undefined;
  if (cache && !sortedCache.has(at)) sortedCache.set(at, cache);
  const sizesOf = (k: number): Float64Array => {
    const h = k < openCount ? hosts[k] : -1 - (k - openCount);
    const version = h >= 0 && at.version ? at.version[h] : 0;
    const hit = cache?.get(h);
    if (hit && hit.version === version) return hit.sizes;
    const keys = vmsOf(k);
    const sizes = new Float64Array(keys.length);
    for (let j = 0; j < keys.length; j++) sizes[j] = keys[j] < m ? model.mem[keys[j]] : model.disabledVmMem[keys[j] - m];
    sizes.sort().reverse();
    cache?.set(h, { version, sizes });
    return sizes;
  };
  return {
    count,
    room,
    load,
    largest,
    vmsOf,
    sizesOf,
    vmMem: (vm) => (vm < m ? model.mem[vm] : model.disabledVmMem[vm - m]),
    hostName: (k) => (k < openCount ? model.hostIds[hosts[k]] : model.disabledIds[k - openCount]),
    vmName: (vm) => (vm < m ? model.itemIds[vm] : model.disabledVmIds[vm - m]),
  };
}

/** Where the placement's HA fit fails, as a sentence, or undefined when it holds. */
export function placementFitFailure(model: PackModel, at: Placement, failures: number, withhold = -1): string | undefined {
  const view = placementView(model, at, withhold);
  const failure: FitFailure | undefined = findFitFailure(view, failures);
  return failure ? describeFitFailure(view, failure, failures) : undefined;
}

/** Does the placement keep the HA fit? */
export function placementFitHolds(model: PackModel, at: Placement, failures: number): boolean {
  return failures <= 0 || findFitFailure(placementView(model, at), failures) === undefined;
}
