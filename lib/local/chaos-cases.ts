/** The fault matrix's cases: every fault at every step of a sleep and of a wake, seeded; and a sample of them that lets every fault act. Pure. */
import { FAULT_NAMES, type FaultName } from './sim-faults.ts';
import { seededRandom, type Random } from '../util/index.ts';

// ------------------------------------------------------------------------------------------ cases

export type ChaosOperation = 'sleep' | 'wake';

/** The steps of a pool sleep and of a pool wake (await-lock only appears when a host is busy: left out). */
export const SLEEP_STEPS = ['disable', 'migrate', 'verify-empty', 'shutdown', 'wait-down', 'settle', 'release'] as const;
export const WAKE_STEPS = ['power-on', 'stagger', 'wait-live', 'enable', 'ready-check', 'release'] as const;
/** Steps that belong to no host (the fault then targets a host the seed picks, or none). */
export const POOL_STEPS = new Set(['migrate', 'release', 'stagger', 'ready-check']);
/** The hosts a sleep of the demo pool puts to sleep. */
export const SLEEPING_HOSTS = ['host-004', 'host-005', 'host-006'] as const;

export interface ChaosCase {
  operation: ChaosOperation;
  fault: FaultName;
  step: string;
  /**
   * Whose step it is (for a host's step), else the host a per-host fault targets; null: any host.
   * xapi-down is pool-wide whatever this says.
   */
  host: string | null;
}

/**
 * Where each fault can act at all (the steps that talk to what the fault breaks), used to aim a
 * sample; the full matrix runs every step regardless.
 */
const REACH: Record<FaultName, Record<ChaosOperation, readonly string[]>> = {
  'xapi-down': { sleep: ['disable', 'migrate', 'verify-empty', 'shutdown', 'wait-down', 'settle'], wake: ['power-on', 'wait-live', 'enable', 'ready-check'] },
  'bmc-silent': { sleep: ['verify-empty', 'shutdown', 'wait-down', 'settle'], wake: ['power-on'] },
  'bmc-foreign': { sleep: ['shutdown'], wake: ['power-on'] },
  'migration-fail': { sleep: ['migrate'], wake: [] },
  // A host is live half a second after its power-on: later, never-live has nothing to withhold.
  'never-live': { sleep: [], wake: ['power-on', 'stagger'] },
  'vm-start-during-drain': { sleep: ['disable'], wake: [] },
  'worker-kill-in-step': { sleep: SLEEP_STEPS, wake: WAKE_STEPS },
};

function caseOf(operation: ChaosOperation, fault: FaultName, step: string, rng: Random): ChaosCase {
  const pick = (): string => SLEEPING_HOSTS[Math.floor(rng() * SLEEPING_HOSTS.length)];
  let host: string | null;
  if (!POOL_STEPS.has(step)) host = pick();
  else host = fault === 'xapi-down' || fault === 'worker-kill-in-step' ? (rng(), null) : pick();
  return { operation, fault, step, host };
}

function shuffle<T>(xs: T[], rng: Random): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Every fault at every step of a sleep and of a wake (7 x 13 = 91 cases), in a seeded order. */
export function faultMatrix(seed: number): ChaosCase[] {
  const rng = seededRandom(seed);
  const cases: ChaosCase[] = [];
  for (const fault of FAULT_NAMES) {
    for (const step of SLEEP_STEPS) cases.push(caseOf('sleep', fault, step, rng));
    for (const step of WAKE_STEPS) cases.push(caseOf('wake', fault, step, rng));
  }
  return shuffle(cases, rng);
}

/**
 * A seeded sample of k cases: first one per fault and operation (14), each at a step where that
 * fault can act when there is one, then further cases from the shuffled matrix.
 */
export function sampleCases(seed: number, k: number): ChaosCase[] {
  const rng = seededRandom(seed ^ 0x5eed);
  const out: ChaosCase[] = [];
  const key = (c: ChaosCase): string => `${c.operation}/${c.fault}/${c.step}`;
  const taken = new Set<string>();
  for (const fault of shuffle([...FAULT_NAMES], rng)) {
    for (const operation of ['sleep', 'wake'] as const) {
      const steps = REACH[fault][operation].length ? REACH[fault][operation] : operation === 'sleep' ? SLEEP_STEPS : WAKE_STEPS;
      const c = caseOf(operation, fault, steps[Math.floor(rng() * steps.length)], rng);
      out.push(c);
      taken.add(key(c));
    }
  }
  for (const c of faultMatrix(seed)) {
    if (out.length >= k) break;
    if (!taken.has(key(c))) {
      out.push(c);
      taken.add(key(c));
    }
  }
  return shuffle(out.slice(0, Math.max(k, 0)), rng);
}

// ------------------------------------------------------------------------------------- invariants
