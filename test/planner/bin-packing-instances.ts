/**
 * Bin-packing instances the planner has never seen, each with a proven optimum: a lower bound that
 * no packing can beat, and a packing (the witness) that meets it. The planner is tuned on BPPLIB's
 * public set; these are its check on inputs outside that set, larger and tighter:
 *
 * - triplets: Falkenauer's class t, larger than his (t249, t501, t1002): capacity 1000, every item
 *   strictly between C/4 and C/2, three to a bin and every bin exactly full;
 * - quadruplets: the same idea one level up: four items strictly between C/5 and C/3 per full bin;
 * - zero slack: every bin exactly full, cut at random points into a few items;
 * - slack: bins short of full by less than one capacity in all (like Falkenauer's class u);
 * - big + small: one item over C/2 per bin, the rest of it cut into small items but for a sliver
 *   of slack; the large items cannot share a bin, so the slack may total far more than one bin.
 *
 * Bounds: the first four by the sum (more than (optimum - 1) x C of items needs `optimum` bins),
 * big + small by counting the items over C/2. Seeded: the same set on every run.
 */
import { seededRandom, type Random } from '../../lib/util/prng.ts';

export type InstanceKind = 'triplets' | 'quadruplets' | 'zero slack' | 'slack' | 'big + small';

export interface BinPackingInstance {
  name: string;
  kind: InstanceKind;
  capacity: number;
  /** item sizes, shuffled */
  items: number[];
  optimum: number;
  /** a packing into `optimum` bins: the upper half of the proof */
  witness: number[][];
}

/** Whole numbers in [lo, hi]. */
const between = (rand: Random, lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));

function shuffled(rand: Random, items: number[]): number[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** `total` cut at `parts - 1` distinct random points: `parts` positive sizes summing to it. */
function randomSplit(rand: Random, total: number, parts: number): number[] {
  const k = Math.min(parts, total);
  const cuts = new Set<number>();
  while (cuts.size < k - 1) cuts.add(between(rand, 1, total - 1));
  const edges = [0, ...[...cuts].sort((a, b) => a - b), total];
  return edges.slice(1).map((edge, i) => edge - edges[i]);
}

/**
 * `parts` sizes strictly between C/(parts + 1) and C/(parts - 1) summing to C, drawn until the last
 * one (C minus the others) lands in range too. With parts = 3 this is Falkenauer's t class.
 */
function exactTuple(rand: Random, capacity: number, parts: number): number[] {
  const lo = Math.floor(capacity / (parts + 1)) + 1;
  const hi = Math.ceil(capacity / (parts - 1)) - 1;
  for (;;) {
    const head = Array.from({ length: parts - 1 }, () => between(rand, lo, hi));
    const last = capacity - head.reduce((a, b) => a + b, 0);
    if (last >= lo && last <= hi) return [...head, last];
  }
}

function instance(rand: Random, name: string, kind: InstanceKind, capacity: number, witness: number[][]): BinPackingInstance {
  return { name, kind, capacity, items: shuffled(rand, witness.flat()), optimum: witness.length, witness };
}

/** `bins` bins whose shortfalls (slack) sum to less than one capacity, each cut into a few items. */
function slackBins(rand: Random, capacity: number, bins: number, fewest: number, most: number): number[][] {
  const weights = Array.from({ length: bins }, () => rand());
  const total = weights.reduce((a, b) => a + b, 0);
  // 90 % of one capacity shared out: the sum stays over (bins - 1) x C.
  return weights.map((w) => {
    const fill = capacity - Math.floor((0.9 * capacity * w) / total);
    return randomSplit(rand, fill, between(rand, fewest, most));
  });
}

/** One item in (C/2, 0.7 C] per bin, the rest cut into 1..4 small items but for up to 3 % of C. */
function bigSmallBins(rand: Random, capacity: number, bins: number): number[][] {
  return Array.from({ length: bins }, () => {
    const big = between(rand, Math.floor(capacity / 2) + 1, Math.floor(0.7 * capacity));
    const rest = capacity - big - between(rand, 0, Math.floor(0.03 * capacity));
    return [big, ...randomSplit(rand, rest, between(rand, 1, 4))];
  });
}

/**
 * The generated set (seed 2026 unless told): 30 instances from 60 to 1,002 items. `small` keeps
 * only the ones of at most 300 items (the test's subset; the bench runs them all).
 */
export function generatedInstances(seed = 2026, small = false): BinPackingInstance[] {
  const rand = seededRandom(seed);
  const set: BinPackingInstance[] = [];
  const tuples = (parts: number, bins: number): number[][] => Array.from({ length: bins }, () => exactTuple(rand, 1000, parts));
  for (const bins of [20, 83, 83, 167, 167, 334]) set.push(instance(rand, `t${bins * 3}_${set.length}`, 'triplets', 1000, tuples(3, bins)));
  for (const bins of [50, 100, 200]) set.push(instance(rand, `q${bins * 4}_${set.length}`, 'quadruplets', 1000, tuples(4, bins)));
  // [capacity, bins, fewest and most items per bin]: coarse and fine capacities, few and many items.
  const shapes: Array<[number, number, number, number]> = [
    [150, 100, 2, 3],
    [1000, 100, 2, 4],
    [1000, 150, 3, 7],
    [1000, 60, 5, 9],
    [100_000, 200, 3, 5],
    [100_000, 100, 2, 3],
  ];
  for (const [capacity, bins, fewest, most] of shapes) {
    const full = Array.from({ length: bins }, () => randomSplit(rand, capacity, between(rand, fewest, most)));
    set.push(instance(rand, `zero slack C${capacity} ${bins} bins_${set.length}`, 'zero slack', capacity, full));
    set.push(instance(rand, `slack C${capacity} ${bins} bins_${set.length}`, 'slack', capacity, slackBins(rand, capacity, bins, fewest, most)));
  }
  for (const [capacity, bins] of [
    [1000, 50],
    [1000, 150],
    [10_000, 100],
    [10_000, 250],
    [150, 120],
  ] as const) {
    set.push(instance(rand, `big + small C${capacity} ${bins} bins_${set.length}`, 'big + small', capacity, bigSmallBins(rand, capacity, bins)));
  }
  for (const bins of [40, 100]) {
    const full = Array.from({ length: bins }, () => randomSplit(rand, 1000, between(rand, 2, 3)));
    set.push(instance(rand, `zero slack pairs C1000 ${bins} bins_${set.length}`, 'zero slack', 1000, full));
  }
  return small ? set.filter((inst) => inst.items.length <= 300) : set;
}

/**
 * Why `inst.optimum` is not proven, or undefined when it is: the witness must pack exactly the
 * items into `optimum` bins of the capacity, and the kind's lower bound must reach `optimum`.
 */
export function optimumFlaw(inst: BinPackingInstance): string | undefined {
  const { capacity, items, optimum, witness } = inst;
  if (items.some((x) => !Number.isInteger(x) || x <= 0 || x > capacity)) return 'an item is not a whole size in (0, C]';
  if (witness.length !== optimum) return `the witness uses ${witness.length} bins, not ${optimum}`;
  const over = witness.findIndex((bin) => bin.reduce((a, b) => a + b, 0) > capacity);
  if (over >= 0) return `witness bin ${over} is over capacity`;
  const sorted = (xs: number[]): string => [...xs].sort((a, b) => a - b).join(',');
  if (sorted(witness.flat()) !== sorted(items)) return 'the witness does not pack exactly the items';
  const sum = items.reduce((a, b) => a + b, 0);
  const bigs = items.filter((x) => 2 * x > capacity).length;
  const bound = inst.kind === 'big + small' ? bigs : Math.ceil(sum / capacity);
  if (bound < optimum) return `the lower bound (${bound}) is below ${optimum}`;
  return undefined;
}
