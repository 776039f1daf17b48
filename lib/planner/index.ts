/**
 * lib/planner: pure planning of a pool's night: which hosts sleep, which VMs move where and in
 * which waves, and which hosts to wake for a demand. No I/O, no clock, no randomness but a seed.
 */
export { planSleep, bestCaseHostsOn, DEFAULT_EFFORT } from './sleep.ts';
export { planWake, wakeOrder } from './wake.ts';
export { firstFitDecreasing } from './baseline.ts';
export { usableMemory, vcpuLimit, coreLimit, vmCores, haCapacity, simpleLowerBound, DEFAULT_CPU_CEILING_PERCENT } from './capacity.ts';
export {
  cpuDemands,
  withCpuDemands,
  DEFAULT_DEMAND_NIGHTS,
  DEFAULT_DEMAND_PERCENTILE,
  DEFAULT_MIN_SAMPLES,
  DEFAULT_MIN_NIGHTS,
  type CpuSample,
  type VmCpuHistory,
  type NightHours,
  type CpuDemandOptions,
  type CpuDemand,
} from './cpu-demand.ts';
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
  KeepLimit,
  WakeDemand,
  WakePlan,
} from './types.ts';
export { Placement } from './rebalance-state.ts';
export { planBalance, planRestore, type RebalanceHost, type RebalanceMode, type RebalancePlan, type RebalanceVm } from './rebalance.ts';
