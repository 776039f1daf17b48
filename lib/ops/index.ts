/** lib/ops: durable operations (host power, pool sleep and wake) over the store, the power port and the audit log. */
export { requestHostPower, runHostPower, isHostPowerAction, HOST_POWER, PowerRefusedError, type HostPowerRequest } from './host-power.ts';
export type { OpsDeps, PowerGuard } from './ops-deps.ts';
export { waitForPower, recordPower } from './chassis-power.ts';
export { runStepMachine, requestCancel, isCancelled, OperationFinishedError, OperationBusyError, type RunOptions, type RunResult, type StepMachine, type StepMachineDeps, type StepOutcome, type StepExecution } from './step-machine.ts';
export type { PowerDriver, HostPowerAction, PowerStatus, BmcHost, SensorView, SelView } from './power-driver.ts';
export { DriversByProtocol, IpmiPowerDriver, RedfishPowerDriver, NoDriverError, hostDrivers, openHostBmc, pinStore, protocolOf } from './drivers/index.ts';
export { pollPool, thermalExcess, type PollResult, type PollOptions } from './sensor-poll.ts';
export { runOperation, type OperationRunner } from './dispatch.ts';
export { onScheduleFired, type ScheduledFire, type FireResult, type PoolActions } from './scheduled.ts';
export { xenPowerGuard } from './xen-guard.ts';
export { requestPoolSleep, runPoolSleep, sleepPlanOf, POOL_SLEEP, type SleepAnswer } from './pool-sleep.ts';
export { lockPool, type PoolOpsDeps, type PoolRequest } from './pool-operation.ts';
export { requestPoolWake, runPoolWake, wakeLeadMs, DEFAULT_WAKE_LEAD_MS, POOL_WAKE, type WakeRequest, type WakeAnswer } from './pool-wake.ts';
export { readPoolView, plannerPolicy, type PoolView } from './pool-view.ts';
export { energyReport, type EnergyReport } from './energy.ts';
export { driverBmcReads, type BmcReads } from './bmc-reads.ts';
export { noticesAfterOperation, noticesForAlerts, alertNoticesAfterPoll, afterOperation } from './notifications.ts';
export { noticeText, type Notice, type Notifier, type HostOutcome } from './notices.ts';
