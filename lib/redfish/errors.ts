/**
 * Typed errors of the Redfish client. Messages name the BMC, the request and what the BMC said
 * (its `@Message.ExtendedInfo`), and never carry a password, a session token or a request body.
 */
import { arr, at, obj, str } from './json.ts';

/** One message of a Redfish error answer (DSP0266 `@Message.ExtendedInfo`). */
export interface RedfishMessage {
  messageId?: string;
  message?: string;
  resolution?: string;
  severity?: string;
}

export class RedfishError extends Error {
  override readonly name: string = 'RedfishError';
  /** The HTTP status of the answer, when there was one. */
  readonly status?: number;
  /** What the BMC said, in order. */
  readonly messages: RedfishMessage[];
  /**
   * Met after a reset was posted (following its task, reading the state after it): whatever the
   * error, the reset may have been carried out, and only the chassis can tell.
   */
  afterReset = false;

  constructor(message: string, o: { status?: number; messages?: RedfishMessage[] } = {}) {
    super(message);
    this.status = o.status;
    this.messages = o.messages ?? [];
  }
}

/** The error, marked as met after a reset was posted when it is a Redfish one; for rethrowing. */
export function afterReset(e: unknown): unknown {
  if (e instanceof RedfishError) e.afterReset = true;
  return e;
}

/** A duration for a message: "0.2 s", "45 s". */
export const seconds = (ms: number): string => `${ms < 10_000 ? (ms / 1000).toFixed(1) : Math.round(ms / 1000)} s`;

/** The messages of an error body (`error.@Message.ExtendedInfo[]`, else `error.message`), or of a Task. */
export function redfishMessages(body: unknown): RedfishMessage[] {
  const error = obj(at(body, 'error'));
  const infos = arr(error?.['@Message.ExtendedInfo'] ?? obj(body)?.['@Message.ExtendedInfo'] ?? obj(body)?.Messages);
  const out: RedfishMessage[] = [];
  for (const i of infos) {
    const m: RedfishMessage = { messageId: str(obj(i)?.MessageId), message: str(obj(i)?.Message), resolution: str(obj(i)?.Resolution), severity: str(obj(i)?.MessageSeverity) ?? str(obj(i)?.Severity) };
    if (m.messageId || m.message) out.push(m);
  }
  if (!out.length && (str(error?.message) || str(error?.code))) out.push({ messageId: str(error?.code), message: str(error?.message) });
  return out;
}

/**
 * The messages with every secret replaced by "***". Some BMCs repeat what they were sent in an
 * error (the login body, the Authorization header), and these texts travel on into bindings,
 * audit records and API answers: the client scrubs them before they leave it.
 */
export function withoutSecrets(messages: RedfishMessage[], secrets: readonly string[]): RedfishMessage[] {
  // A secret as it reads in the BMC's JSON as well (quotes and backslashes escaped); long ones first.
  const hide = [...new Set(secrets.filter((x) => x.length > 0).flatMap((x) => [x, JSON.stringify(x).slice(1, -1)]))].sort((a, b) => b.length - a.length);
  if (!hide.length) return messages;
  const scrub = (t: string | undefined): string | undefined => {
    if (t === undefined) return t;
    let out = t;
    for (const x of hide) out = out.split(x).join('***');
    return out;
  };
  return messages.map((m) => ({ messageId: scrub(m.messageId), message: scrub(m.message), resolution: scrub(m.resolution), severity: m.severity }));
}

/** "Message [MessageId] (Resolution)" for each message, joined. */
export function describeMessages(messages: readonly RedfishMessage[]): string {
  return messages
    .map((m) => [m.message ?? m.messageId, m.message && m.messageId ? `[${m.messageId}]` : undefined, m.resolution ? `(${m.resolution})` : undefined].filter(Boolean).join(' '))
    .join('; ');
}

/** A request the BMC answered with an error status (4xx, 5xx). */
export class RedfishHttpError extends RedfishError {
  override readonly name: string = 'RedfishHttpError';
  constructor(
    readonly bmc: string,
    readonly method: string,
    readonly path: string,
    status: number,
    messages: RedfishMessage[],
    what?: string,
  ) {
    const said = describeMessages(messages);
    super(`${bmc}: ${what ?? `${method} ${path}`} answered HTTP ${status}${said ? `: ${said}` : ''}`, { status, messages });
  }
}

/** Login refused (401/403), or a session token refused again after a fresh login. */
export class RedfishAuthError extends RedfishError {
  override readonly name: string = 'RedfishAuthError';
  constructor(
    readonly bmc: string,
    reason: string,
    o: { status?: number; messages?: RedfishMessage[] } = {},
  ) {
    const said = describeMessages(o.messages ?? []);
    super(`${bmc}: ${reason}${said ? `: ${said}` : ''}`, o);
  }
}

/** No (complete) answer before the deadline. `requestSent` says whether the BMC may have acted on it. */
export class RedfishTimeoutError extends RedfishError {
  override readonly name: string = 'RedfishTimeoutError';
  constructor(
    readonly bmc: string,
    readonly method: string,
    readonly path: string,
    readonly timeoutMs: number,
    readonly requestSent: boolean,
  ) {
    super(`${bmc}: no answer to ${method} ${path} within ${timeoutMs} ms (check the address, the port and that Redfish is enabled)`);
  }
}

/**
 * A reading (the power state, sensors, watts, the log...) took longer than its whole deadline, all
 * its requests and retries together: the BMC answers, but too slowly to be waited for. Only reads
 * have such a deadline; nothing was changed on the BMC.
 */
export class RedfishDeadlineError extends RedfishError {
  override readonly name: string = 'RedfishDeadlineError';
  constructor(
    readonly bmc: string,
    readonly what: string,
    readonly deadlineMs: number,
  ) {
    super(`${bmc}: reading ${what} took longer than ${deadlineMs} ms in all (the BMC answers too slowly); nothing was changed`);
  }
}

/** The connection failed (refused, reset, unreachable). `requestSent` says whether the BMC may have acted on it. */
export class RedfishConnectionError extends RedfishError {
  override readonly name: string = 'RedfishConnectionError';
  constructor(
    readonly bmc: string,
    readonly method: string,
    readonly path: string,
    readonly code: string,
    readonly requestSent: boolean,
  ) {
    super(`${bmc}: ${method} ${path} failed: ${code}${requestSent ? ' (after the request was sent: the BMC may have acted on it)' : ''}`);
  }
}

/** The BMC presented a certificate other than the one pinned for it. Nothing was sent to it. */
export class RedfishCertificateChangedError extends RedfishError {
  override readonly name: string = 'RedfishCertificateChangedError';
  constructor(
    readonly bmc: string,
    readonly expected: string,
    readonly presented: string,
  ) {
    super(
      `${bmc}: the BMC's TLS certificate changed: pinned SHA-256 ${expected}, presented ${presented}. ` +
        `Nothing was sent. If the BMC's certificate was renewed on purpose, accept the new fingerprint for this host.`,
    );
  }
}

/** The certificate did not verify against the CA bundle (or the name did not match). Nothing was sent. */
export class RedfishTlsError extends RedfishError {
  override readonly name: string = 'RedfishTlsError';
  constructor(
    readonly bmc: string,
    readonly reason: string,
  ) {
    super(`${bmc}: TLS verification failed: ${reason}. Nothing was sent.`);
  }
}

/** An answer that does not follow DSP0266 (not JSON, a missing required link, a link to another host). */
export class RedfishProtocolError extends RedfishError {
  override readonly name: string = 'RedfishProtocolError';
}

/** The BMC does not offer what was asked (a reset type, a resource), with what it does offer. */
export class RedfishNotSupportedError extends RedfishError {
  override readonly name: string = 'RedfishNotSupportedError';
}

/** A task the BMC ran for a request ended badly, or did not end before the deadline. */
export class RedfishTaskError extends RedfishError {
  override readonly name: string = 'RedfishTaskError';
  constructor(
    readonly bmc: string,
    readonly taskState: string,
    message: string,
    messages: RedfishMessage[] = [],
  ) {
    const said = describeMessages(messages);
    super(`${bmc}: ${message}${said ? `: ${said}` : ''}`, { messages });
  }
}

/** The host's power state does not allow the action (in transition, or off for a cycle). */
export class RedfishStateError extends RedfishError {
  override readonly name: string = 'RedfishStateError';
}
