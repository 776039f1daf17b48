/**
 * Small sets of VMs (none, one, two or three) with their summed memory, vCPUs and CPU demand, stored in typed
 * arrays that are reused from one search step to the next: the exchange search builds thousands
 * of them per step, and objects would keep the garbage collector busy.
 */
import type { PackModel } from './model.ts';

export class ComboList {
  count = 0;
  mem = new Float64Array(64);
  cpu = new Float64Array(64);
  /** CPU demand in cores */
  cores = new Float64Array(64);
  /** members; -1 where a set has fewer than three */
  a = new Int32Array(64);
  b = new Int32Array(64);
  c = new Int32Array(64);
  /** number of members */
  size = new Uint8Array(64);
  /** 1 when the set holds the host's own floating VM */
  own = new Uint8Array(64);
  /** indices sorted by memory, largest first (after sortByMemory) */
  order = new Int32Array(64);

  private push(mem: number, cpu: number, cores: number, a: number, b: number, c: number, size: number, own: number): void {
    if (this.count === this.mem.length) this.grow();
    const k = this.count++;
    this.mem[k] = mem;
    this.cpu[k] = cpu;
    this.cores[k] = cores;
    this.a[k] = a;
    this.b[k] = b;
    this.c[k] = c;
    this.size[k] = size;
    this.own[k] = own;
  }

  private grow(): void {
    const cap = this.mem.length * 2;
    const copy = <T extends Float64Array | Int32Array | Uint8Array>(old: T, make: (n: number) => T): T => {
      const next = make(cap);
      next.set(old);
      return next;
    };
    this.mem = copy(this.mem, (n) => new Float64Array(n));
    this.cpu = copy(this.cpu, (n) => new Float64Array(n));
    this.cores = copy(this.cores, (n) => new Float64Array(n));
    this.a = copy(this.a, (n) => new Int32Array(n));
    this.b = copy(this.b, (n) => new Int32Array(n));
    this.c = copy(this.c, (n) => new Int32Array(n));
    this.size = copy(this.size, (n) => new Uint8Array(n));
    this.own = copy(this.own, (n) => new Uint8Array(n));
    this.order = new Int32Array(cap);
  }

  /** All sets of up to `maxSize` of `items` (and the empty set when asked); `ownItem` is flagged. */
  build(m: PackModel, items: readonly number[], maxSize: number, withEmpty: boolean, ownItem = -1): this {
    this.count = 0;
    if (withEmpty) this.push(0, 0, 0, -1, -1, -1, 0, 0);
    const k = items.length;
    for (let x = 0; x < k; x++) {
      const ix = items[x];
      const ox = ix === ownItem ? 1 : 0;
      this.push(m.mem[ix], m.cpu[ix], m.cores[ix], ix, -1, -1, 1, ox);
      if (maxSize < 2) continue;
      for (let y = x + 1; y < k; y++) {
        const iy = items[y];
        const mem2 = m.mem[ix] + m.mem[iy];
        const cpu2 = m.cpu[ix] + m.cpu[iy];
        const cores2 = m.cores[ix] + m.cores[iy];
        const oy = ox | (iy === ownItem ? 1 : 0);
        this.push(mem2, cpu2, cores2, ix, iy, -1, 2, oy);
        if (maxSize < 3) continue;
        for (let z = y + 1; z < k; z++) {
          const iz = items[z];
          this.push(mem2 + m.mem[iz], cpu2 + m.cpu[iz], cores2 + m.cores[iz], ix, iy, iz, 3, oy | (iz === ownItem ? 1 : 0));
        }
      }
    }
    return this;
  }

  sortByMemory(): this {
    const order = this.order.subarray(0, this.count);
    for (let k = 0; k < this.count; k++) order[k] = k;
    const mem = this.mem;
    order.sort((x, y) => mem[y] - mem[x] || x - y);
    return this;
  }

  /** Position in `order` of the first set whose memory is at most `limit`. */
  firstAtMost(limit: number, eps: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.mem[this.order[mid]] > limit + eps) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  has(k: number, item: number): boolean {
    return this.a[k] === item || this.b[k] === item || this.c[k] === item;
  }

  items(k: number): number[] {
    const out: number[] = [];
    if (this.a[k] >= 0) out.push(this.a[k]);
    if (this.b[k] >= 0) out.push(this.b[k]);
    if (this.c[k] >= 0) out.push(this.c[k]);
    return out;
  }
}
