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

