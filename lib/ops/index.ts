/** lib/ops: durable operations (host power, pool sleep and wake) over the store, the power port and the audit log. */
export {
  requestHostPower,
  runHostPower,
  waitForPower,
  recordPower,
  isHostPowerAction,
  HOST_POWER,
  type OpsDeps,
  type HostPowerRequest,
  type PowerGuard,
} from './host-power.ts';
export { runStepMachine, OperationBusyError, type RunOptions, type RunResult, type StepMachine, type StepMachineDeps, type StepOutcome, type StepExecution } from './step-machine.ts';
export { IpmiPowerDriver, type PowerDriver, type HostPowerAction } from './power-driver.ts';
export { pollPool, thermalExcess, type PollResult, type PollOptions } from './sensor-poll.ts';
export { runOperation, registerOperationKind, type OperationRunner } from './dispatch.ts';
export { onScheduleFired, type ScheduledFire, type FireResult, type PoolActions } from './scheduled.ts';
