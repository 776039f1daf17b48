/** lib/ops: durable operations (host power today) over the store, the power port and the audit log. */
export { requestHostPower, runHostPower, OperationBusyError, HOST_POWER, type OpsDeps, type HostPowerRequest, type RunOptions } from './host-power.ts';
export { IpmiPowerDriver, type PowerDriver, type HostPowerAction } from './power-driver.ts';
