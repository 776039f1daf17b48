/**
 * Typed errors of the XAPI client. XAPI reports a failure as an ErrorDescription: a code and its
 * parameters ([code, ...params]); it becomes an XapiError with the same code and params, so callers
 * branch on `code` and read parameters by position as the XAPI error list documents them.
 * Transport failures (HTTP status, network, timeout, a reply that is not JSON-RPC) are a separate
 * class; among them, the ones that mean "nobody answers at that address" (refused, reset, timeout,
 * name not resolved, HTTP 5xx without a JSON-RPC body) are XapiUnreachableError, so that a caller
 * can tell "XAPI said no" (XapiError) from "XAPI could not be asked" and never read silence as an
 * answer. No message carries a password: the client redacts it from anything a server echoes, and
 * transport errors name the endpoint without user info.
 */

/** A failure reported by XAPI itself (the ErrorDescription of the call or of its task). */
export class XapiError extends Error {
  /**
   * Met while following an async call's task (a poll refused), not the task's own outcome: the
   * call may have been carried out on the pool.
   */
  whileFollowingTask = false;

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

export type XapiTransportFailure = 'http' | 'network' | 'timeout' | 'protocol' | 'tls';

/** The request did not produce a JSON-RPC answer: HTTP status, socket error, timeout, TLS, or garbage. */
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

/** Why XAPI could not be reached. */
export type XapiUnreachableCause = 'refused' | 'reset' | 'timeout' | 'dns' | 'network' | 'http-5xx';

/**
 * Nobody answered at the endpoint: connection refused or reset, no reply before the deadline, the
 * name did not resolve, another network failure, or an HTTP 5xx that carries no JSON-RPC reply.
 * Whether the call ran on the pool is unknown (a reset or a timeout may come after it did).
 */
export class XapiUnreachableError extends XapiTransportError {
  constructor(
    /** host[:port] of the endpoint. */
    readonly host: string,
    override readonly cause: XapiUnreachableCause,
    url: string,
    method: string,
    /** The socket error code and message, or the HTTP status line; never a request body. */
    readonly detail: string,
    status?: number,
  ) {
    super(cause === 'timeout' ? 'timeout' : cause === 'http-5xx' ? 'http' : 'network', url, method, detail, status);
    this.message = `XAPI unreachable at ${host} (${cause}) on ${method}: ${detail}`;
    this.name = 'XapiUnreachableError';
  }
}

/**
 * The cause an errno-style code of a failed socket or lookup stands for, or undefined for a TLS
 * failure (something answered, but its certificate is not trusted: a configuration fault, not an
 * outage, so it stays a plain XapiTransportError).
 */
export function unreachableCause(code: string | undefined): XapiUnreachableCause | undefined {
  if (code && /^ERR_(TLS|SSL)_|CERT|SELF_SIGNED|UNABLE_TO_(VERIFY|GET_ISSUER)/.test(code)) return undefined;
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
      return 'reset';
    case 'ETIMEDOUT':
    case 'ESOCKETTIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'timeout';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EAI_NONAME':
      return 'dns';
    default:
      return 'network';
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

