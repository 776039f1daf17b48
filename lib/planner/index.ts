/**
 * lib/planner: pure planning of a pool's night: which hosts sleep, which VMs move where and in
 * which waves, and which hosts to wake for a demand. No I/O, no clock, no randomness but a seed.
 */
export { planSleep, bestCaseHostsOn, DEFAULT_EFFORT } from './sleep.ts';
export { planWake, wakeOrder } from './wake.ts';
export { firstFitDecreasing } from './baseline.ts';
export { usableMemory, vcpuLimit, haCapacity, simpleLowerBound } from './capacity.ts';
export { haFitHolds, canLeavePool, type HaFit, type HaFitOptions } from './ha-check.ts';
export { PlannerInputError } from './model.ts';
export type {
  PlannerHost,
  PlannerVm,
  PlannerPolicy,
  PlannerOptions,
  Migration,
  SleepPlan,
  KeepReason,
  WakeDemand,
  WakePlan,
} from './types.ts';
