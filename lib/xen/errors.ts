/**
 * Typed errors of the XAPI client. XAPI reports a failure as an ErrorDescription: a code and its
 * parameters ([code, ...params]); it becomes an XapiError with the same code and params, so callers
 * branch on `code` and read parameters by position as the XAPI error list documents them.
 * Transport failures (HTTP status, network, timeout, a reply that is not JSON-RPC) are a separate
 * class. No message carries a password: the client redacts it from anything a server echoes.
 */

/** A failure reported by XAPI itself (the ErrorDescription of the call or of its task). */
export class XapiError extends Error {
  constructor(
    readonly code: string,
    readonly params: string[] = [],
    /** The method that failed, when known (never its arguments). */
    readonly method?: string,
  ) {
    super(`XAPI ${code}${params.length ? `: ${params.join(', ')}` : ''}${method ? ` (${method})` : ''}`);
    this.name = 'XapiError';
  }

  /** The ErrorDescription as XAPI sends it. */
  get description(): string[] {
    return [this.code, ...this.params];
  }
}

export type XapiTransportFailure = 'http' | 'network' | 'timeout' | 'protocol';

/** The request did not produce a JSON-RPC answer: HTTP status, socket error, timeout, or garbage. */
export class XapiTransportError extends Error {
  constructor(
    readonly kind: XapiTransportFailure,
    /** The endpoint, without credentials. */
    readonly url: string,
    readonly method: string,
    detail: string,
    readonly status?: number,
  ) {
    super(`XAPI transport ${kind} on ${method} at ${url}: ${detail}`);
    this.name = 'XapiTransportError';
  }
}

/** An asynchronous call whose task did not finish before the deadline. The task may still run. */
export class XapiTaskTimeoutError extends Error {
  constructor(
    readonly method: string,
    readonly task: string,
    readonly elapsedMs: number,
  ) {
    super(`XAPI task of ${method} (${task}) still pending after ${Math.round(elapsedMs)} ms; it may still complete on the pool`);
    this.name = 'XapiTaskTimeoutError';
  }
}

/** A host or VM name that matches no object, or more than one. */
export class XenLookupError extends Error {
  constructor(
    readonly kind: 'host' | 'VM',
    readonly nameLabel: string,
    readonly matches: number,
  ) {
    super(matches === 0 ? `no ${kind} named ${JSON.stringify(nameLabel)} in the pool` : `${matches} ${kind}s are named ${JSON.stringify(nameLabel)}; names must be unique`);
    this.name = 'XenLookupError';
  }
}

/** Error codes lowpower branches on, spelled as XAPI spells them (ocaml/idl/datamodel_errors.ml). */
export const XapiErrorCode = {
  sessionAuthenticationFailed: 'SESSION_AUTHENTICATION_FAILED',
  sessionInvalid: 'SESSION_INVALID',
  hostIsSlave: 'HOST_IS_SLAVE',
  messageMethodUnknown: 'MESSAGE_METHOD_UNKNOWN',
  messageParameterCountMismatch: 'MESSAGE_PARAMETER_COUNT_MISMATCH',
  handleInvalid: 'HANDLE_INVALID',
  uuidInvalid: 'UUID_INVALID',
  hostNotDisabled: 'HOST_NOT_DISABLED',
  hostDisabled: 'HOST_DISABLED',
  hostDisabledUntilReboot: 'HOST_DISABLED_UNTIL_REBOOT',
  hostNotLive: 'HOST_NOT_LIVE',
  hostOffline: 'HOST_OFFLINE',
  hostNotEnoughFreeMemory: 'HOST_NOT_ENOUGH_FREE_MEMORY',
  cannotEvacuateHost: 'CANNOT_EVACUATE_HOST',
  noHostsAvailable: 'NO_HOSTS_AVAILABLE',
  vmRequiresSr: 'VM_REQUIRES_SR',
  vmHasPciAttached: 'VM_HAS_PCI_ATTACHED',
  vmHasVgpu: 'VM_HAS_VGPU',
  vmBadPowerState: 'VM_BAD_POWER_STATE',
  vmMigrateFailed: 'VM_MIGRATE_FAILED',
  otherOperationInProgress: 'OTHER_OPERATION_IN_PROGRESS',
  operationNotAllowed: 'OPERATION_NOT_ALLOWED',
  haOperationWouldBreakFailoverPlan: 'HA_OPERATION_WOULD_BREAK_FAILOVER_PLAN',
  eventsLost: 'EVENTS_LOST',
  eventFromTokenParseFailure: 'EVENT_FROM_TOKEN_PARSE_FAILURE',
  taskCancelled: 'TASK_CANCELLED',
} as const;
