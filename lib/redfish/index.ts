/**
 * lib/redfish: a native Redfish (DMTF DSP0266) client for the BMCs that ship with IPMI over LAN off
 * (iDRAC 9, iLO 5/6, XCC, OpenBMC). The public face: open a BMC (or take it from RedfishHosts),
 * ask it things, close it. No import of lib/ops or lib/store: the PowerDriver adapter lives there.
 */
export { RedfishBmc, openRedfish, readDeadlineOf, type RedfishBmcOptions } from './bmc.ts';
export { RedfishHosts } from './hosts.ts';
export { RedfishClient, type RedfishClientOptions, type RedfishReads, type RedfishResponse } from './client.ts';
export type { AuthMode } from './session.ts';
export type { RedfishEndpoint } from './transport/endpoint.ts';
export { isLoopback } from '../util/index.ts';
export { normalizeFingerprint, type TlsOptions } from './transport/tls-trust.ts';
export type { Topology, ResetAction, DiscoveryOptions } from './discovery.ts';
export { planReset, type RedfishPowerAction, type ResetPlan } from './power/reset-plan.ts';
export { powerStateOf, type PowerStateName, type PowerStateReading } from './power/power-state.ts';
export type { PowerOptions, RedfishPowerResult } from './power/power.ts';
export type { TaskOutcome } from './task-monitor.ts';
export type { SensorView, SensorStatus, Thresholds, ThresholdName } from './sensors/sensor-view.ts';
export type { WattsReading } from './watts.ts';
export { decodeLogEntry, type SelView, type EventLog } from './event-log.ts';
export type { RedfishIdentity } from './identity.ts';
export { restorePolicyOf, type RestorePolicy, type RestorePolicyChoice, type RestorePolicyReading, type RestorePolicyChange } from './restore-policy.ts';
export {
  RedfishError,
  RedfishHttpError,
  RedfishAuthError,
  RedfishTimeoutError,
  RedfishDeadlineError,
  RedfishConnectionError,
  RedfishCertificateChangedError,
  RedfishTlsError,
  RedfishProtocolError,
  RedfishNotSupportedError,
  RedfishTaskError,
  RedfishStateError,
  type RedfishMessage,
} from './errors.ts';
