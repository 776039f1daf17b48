/** The simulator's HA capacity model: when a plan for n host failures exists. */
import { describe, expect, it } from 'vitest';
import { planExistsFor, type HaHost } from '../../lib/sim/xen/index.ts';

const host = (id: string, freeBytes: number, vmBytes: number[], enabled = true, live = true): HaHost => ({ id, live, enabled, freeBytes, vmBytes });

describe('planExistsFor', () => {
  it('holds when the VMs of any one host fit in the others', () => {
    expect(planExistsFor([host('a', 20, [40]), host('b', 50, [10]), host('c', 30, [15, 15])], 1)).toBe(true);
  });

  it('fails when the largest VM fits nowhere, even if the sum would', () => {
    expect(planExistsFor([host('a', 20, [40]), host('b', 35, [10, 15]), host('c', 30, [15])], 1)).toBe(false);
  });

  it('gives no room on disabled hosts but still restarts their VMs', () => {
    expect(planExistsFor([host('a', 20, [40]), host('b', 50, [10], false), host('c', 30, [30])], 1)).toBe(false);
    expect(planExistsFor([host('a', 40, [10]), host('b', 50, [30], false), host('c', 40, [10])], 1)).toBe(true);
  });

  it('ignores hosts that are not live and handles n = 0 and n >= live hosts', () => {
    expect(planExistsFor([host('a', 10, [10]), host('b', 0, [100], true, false), host('c', 10, [10])], 1)).toBe(true);
    expect(planExistsFor([host('a', 0, [999])], 0)).toBe(true);
    expect(planExistsFor([host('a', 100, [1]), host('b', 100, [1])], 2)).toBe(false);
  });

  it('tolerates two failures when three survivors take the load', () => {
    const hosts = [host('a', 30, [20]), host('b', 30, [20]), host('c', 30, [20]), host('d', 30, [20])];
    expect(planExistsFor(hosts, 2)).toBe(true);
    expect(planExistsFor(hosts, 3)).toBe(false);
  });
});
