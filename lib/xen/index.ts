/**
 * lib/xen: XAPI over JSON-RPC. The client (sessions, master following, Async calls with task
 * polling, typed errors) and the Hypervisor port operations use to disable, drain, shut down and
 * wake pool hosts. The pool simulator lives in lib/sim/xen.
 */
export { XapiClient, masterUrl, decodeTaskResult, errorDescription, DEFAULT_REQUEST_TIMEOUT_MS, type XapiClientOptions } from './client.ts';
export {
  XapiError,
  XapiTransportError,
  XapiUnreachableError,
  XapiTaskTimeoutError,
  XenLookupError,
  unreachableCause,
  type XapiTransportFailure,
  type XapiUnreachableCause,
} from './errors.ts';
export { XapiHypervisor } from './hypervisor.ts';
export type { Hypervisor, XenPoolInfo, XenHostInfo, XenHostIdentity, XenVmInfo } from './hypervisor-port.ts';
export type { TlsOptions } from './transport.ts';
export { NULL_REF, type Ref } from './records.ts';
export { readPoolLoad, type PoolLoadRead, type MemberLoadReport, type MemberLoadFailure, type PoolLoadOptions } from './pool-load.ts';
export { isGuest, xapiDateTime, type EventFromResult, type HostMetricsRecord, type HostRecord, type NetworkRecord, type PbdRecord, type PciRecord, type PoolRecord, type SrRecord, type StringMap, type TaskRecord, type VbdRecord, type VdiRecord, type VgpuRecord, type VifRecord, type VmMetricsRecord, type VmRecord, type XapiEvent, type XapiValue } from './records.ts';
export { startRefusals, advanceRefusalCursor, parseXapiDateTime, NOT_ENOUGH_MEMORY, type RefusalCursor, type StartRefusal } from './start-refusals.ts';
