/**
 * lib/sim/redfish: our own Redfish BMC simulator (HTTPS on loopback), beside the IPMI one, for the
 * local runner and the tests of lowpower's Redfish driver. Stateful: power over time, sensors from
 * the same machine model as the IPMI simulator, an event log, sessions, tasks, faults.
 */
export { RedfishBmc, startRedfishBmc, type RedfishBmcOptions } from './server.ts';
export { startRedfishFleet, type RedfishFleet, type RedfishFleetEntry, type RedfishFleetOptions } from './fleet.ts';
export { describeRedfishFaults, REDFISH_FAULT_NAMES, type RedfishFaults } from './faults.ts';
export { createSelfSignedCertificate, fingerprintOf, type SimCertificate } from './certificate.ts';
export {
  FAST_POWER_TIMINGS,
  REALISTIC_POWER_TIMINGS,
  RESET_TYPES,
  PowerMachine,
  type PowerState,
  type PowerTimings,
  type ResetType,
} from './power-state.ts';
export { GENERIC_RESET_TYPES, OPENBMC_RESET_TYPES } from './resources/systems.ts';
export { RESTORE_POLICIES, type RedfishVariant, type ResourceIds, type RestorePolicy } from './state.ts';
export { SENSORS, type SensorDef } from './sensors.ts';
export type { LogEntry } from './event-log.ts';

