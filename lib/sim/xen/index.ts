/**
 * lib/sim/xen: a stateful XAPI pool master (JSON-RPC on 127.0.0.1) for the local runner and tests,
 * with every member's RRD export (/rrd_updates) driven by a daily load model.
 */
export { startXapiSim, type XapiSim } from './server.ts';
export { SimState } from './state.ts';
export { demoPool, DEMO_CREDENTIALS, type DemoPoolOptions } from './demo-pool.ts';
export { XAPI_FAULTS, isXapiFaultName, type XapiFaultName, type XapiFaultEntry, type XapiFaults } from './faults.ts';
export { GiB, type HostPowerLink, type SimHostIdentity, type SimHostSpec, type SimVmSpec, type XapiSimOptions } from './options.ts';
export { planExistsFor, type HaHost } from './ha-plan.ts';
export { LoadModel, type LoadModelOptions, type LoadPush, type VmProfile } from './load-model.ts';
export type { SimLoadPush } from './sim-load.ts';
export { formatRrdValue, rrdJson, rrdXml, type RrdDocument } from './rrd-format.ts';
