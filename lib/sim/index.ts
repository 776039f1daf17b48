/** lib/sim: the simulators (IPMI and Redfish BMCs, the Xen pool) the local runner and the tests start. */
export { startMixedFleet, type FleetProtocol, type MixedFleet } from './fleet.ts';
export { describeFaults, type Faults } from './ipmi/faults.ts';
export { demoPool, isXapiFaultName, planExistsFor, startXapiSim, type HaHost, type HostPowerLink, type XapiSim } from './xen/index.ts';
export { simIdentityFor } from './ipmi/identity.ts';
