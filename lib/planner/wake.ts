/**
 * planWake: which sleeping hosts to wake for a demand, and in which order. The order is the
 * coolest first (lowest temperature; unknown temperatures last), then the least recently woken
 * (never woken first), then id. For a memory demand it wakes the fewest hosts whose usable memory,
 * with the HA spare, covers what runs now plus the demand, and among those the most preferred.
 */
import { gib, haCapacity, haFailures, usableMemory } from './capacity.ts';
import { validateInput } from './model.ts';
import type { PlannerHost, PlannerPolicy, PlannerVm, WakeDemand, WakePlan } from './types.ts';


/** Coolest first, then least recently woken, then id. */
export function wakeOrder(hosts: readonly PlannerHost[]): PlannerHost[] {
  return [...hosts].sort(
    (a, b) =>
      (a.temperatureC ?? Infinity) - (b.temperatureC ?? Infinity) ||
      (a.lastWokenAt ?? -Infinity) - (b.lastWokenAt ?? -Infinity) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

function describe(host: PlannerHost, rank: number, of: number): string {
  const temp = host.temperatureC === undefined ? 'temperature unknown' : `${host.temperatureC} °C`;
  const woken = host.lastWokenAt === undefined ? 'never woken' : `last woken at ${host.lastWokenAt}`;
  return `${rank} of ${of} off hosts in wake order (${temp}, ${woken})`;
}

/**
 * Which off hosts to wake: `{ all: true }` every one; `{ hosts: n }` the first n in wake order;
 * `{ extraMemoryBytes }` the fewest whose usable memory, with the hosts on and the HA spare, holds
 * the running VMs plus the extra (and reaches the minimum hosts on), the most preferred among them.
 * `why` has one line per woken host, in the same order, and may end with a note.
 */
export function planWake(hosts: PlannerHost[], vms: PlannerVm[], policy: PlannerPolicy, demand: WakeDemand): WakePlan {
  validateInput(hosts, vms, policy);
  const order = wakeOrder(hosts.filter((h) => h.state === 'off'));
  const rankOf = new Map(order.map((h, k) => [h.id, k + 1]));
  const line = (h: PlannerHost, why: string): string => `${h.id}: ${why}; ${describe(h, rankOf.get(h.id) as number, order.length)}`;
  if (order.length === 0) return { wake: [], why: ['no host is off'] };

  if ('all' in demand) return { wake: order.map((h) => h.id), why: order.map((h) => line(h, 'waking every off host')) };

  if ('hosts' in demand) {
    const count = Math.max(0, Math.floor(demand.hosts));
    if (count === 0) return { wake: [], why: ['0 hosts asked for'] };
    const chosen = order.slice(0, count);
    const why = chosen.map((h) => line(h, `${count} host(s) asked for`));
    if (count > order.length) why.push(`only ${order.length} hosts are off; ${count} were asked for`);
    return { wake: chosen.map((h) => h.id), why };
  }

  const failures = haFailures(policy);
  const onIds = new Set(hosts.filter((h) => h.state === 'on' || h.state === 'disabled').map((h) => h.id));
  const running = vms.filter((v) => onIds.has(v.hostId)).reduce((s, v) => s + v.memoryBytes, 0);
  const need = running + Math.max(0, demand.extraMemoryBytes);
  const onCaps = hosts.filter((h) => h.state === 'on').map((h) => usableMemory(h, policy));
  const capOf = new Map(order.map((h) => [h.id, usableMemory(h, policy)]));
  const enough = (caps: number[]): boolean => haCapacity(caps, failures) >= need && caps.length >= policy.minHostsOn;
  if (enough(onCaps)) {
    return { wake: [], why: [`the hosts on already hold ${gib(need)} (running VMs plus ${gib(demand.extraMemoryBytes)}) with ${failures} host failure(s) to spare`] };
  }
  const largestFirst = [...order].sort((a, b) => (capOf.get(b.id) as number) - (capOf.get(a.id) as number));
  // Could `chosen` be completed to `total` hosts? Completing with the largest remaining is the best case.
  const completes = (chosen: PlannerHost[], total: number): boolean => {
    const caps = onCaps.concat(chosen.map((h) => capOf.get(h.id) as number));
    const taken = new Set(chosen.map((h) => h.id));
    for (const h of largestFirst) {
      if (caps.length - onCaps.length >= total) break;
      if (!taken.has(h.id)) caps.push(capOf.get(h.id) as number);
    }
    return enough(caps);
  };
  let fewest = 1;
  while (fewest <= order.length && !completes([], fewest)) fewest++;
  if (fewest > order.length) {
    const all = order.map((h) => h.id);
    const capacity = haCapacity(onCaps.concat(order.map((h) => capOf.get(h.id) as number)), failures);
    return {
      wake: all,
      why: order
        .map((h) => line(h, 'waking every off host'))
        .concat(`even every host holds only ${gib(capacity)} with ${failures} failure(s) to spare; ${gib(need)} is needed`),
    };
  }
  const chosen: PlannerHost[] = [];
  for (const h of order) {
    if (chosen.length === fewest) break;
    if (completes([...chosen, h], fewest)) chosen.push(h);
  }
  const reason = `${fewest} host(s) needed for ${gib(need)} (running VMs plus ${gib(demand.extraMemoryBytes)}) with ${failures} host failure(s) to spare`;
  return { wake: chosen.map((h) => h.id), why: chosen.map((h) => line(h, reason)) };
}
