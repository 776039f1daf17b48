/** The improvement search's budget and what its moves share; apart from search.ts so its move modules need not import it. */
import type { Random } from '../util/index.ts';

export interface SearchContext {
  /** work left, in evaluated placements; every loop pays for what it looks at */
  work: number;
  random: Random;
  /** the hosts by usable memory, largest first (for HA capacity) */
  byCapacity: Int32Array;
  /** the hosts by CPU-demand limit, largest first (for HA by CPU); empty while the ceiling is off */
  byCores: Int32Array;
  failures: number;
}
