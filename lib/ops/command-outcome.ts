/**
 * What a power command's error says about the command, for the step that sent it: refused (not
 * carried out: the BMC said no, or the command never left), or unknown (it may have been carried
 * out: only the chassis can tell). Anything else is not a BMC's error.
 *
 * - XAPI (hosts without a usable BMC): the pool's error answer (or its task's failure) is its no;
 *   no answer, a task still pending or one that could not be followed is unknown.
 * - IPMI: a completion code is the BMC's no; a refused or impossible login sends no command; any
 *   other error (a lost answer) is unknown.
 * - Redfish: anything met after a reset was posted (its task, a read after it) is unknown, whatever
 *   its kind. Before that: a 4xx answer is the BMC's no (a 401 means it did not act on the
 *   request); a refused certificate, a failed handshake, a reset type not offered, a state the
 *   driver would not act on, or a BMC that did not answer before the request left, sent nothing; a
 *   lost answer after sending, a 5xx answer, a malformed answer and anything else are unknown.
 *
 * Error classes are imported by path: ops reaches the BMC clients only through the lazy driver.
 */
import { IpmiAuthError, IpmiCompletionCodeError, IpmiError, IpmiInsecureError, IpmiPasswordTooLongError } from '../ipmi/errors.ts';
import {
  RedfishAuthError,
  RedfishCertificateChangedError,
  RedfishConnectionError,
  RedfishError,
  RedfishHttpError,
  RedfishNotSupportedError,
  RedfishProtocolError,
  RedfishStateError,
  RedfishTaskError,
  RedfishTimeoutError,
  RedfishTlsError,
} from '../redfish/errors.ts';
import { XapiError, XapiTaskTimeoutError, XapiTransportError } from '../xen/index.ts';

export type CommandFailure = 'refused' | 'unknown';

export function commandFailure(e: unknown): CommandFailure | undefined {
  // XAPI (a host reached through the pool only): its answer, or its task's failure, is the pool's
  // no; no answer, a task still pending, or a task that could not be followed is unknown.
  if (e instanceof XapiError) return e.whileFollowingTask ? 'unknown' : 'refused';
  if (e instanceof XapiTransportError || e instanceof XapiTaskTimeoutError) return 'unknown';
  if (e instanceof IpmiError) {
    return e instanceof IpmiCompletionCodeError || e instanceof IpmiAuthError || e instanceof IpmiPasswordTooLongError || e instanceof IpmiInsecureError ? 'refused' : 'unknown';
  }
  if (!(e instanceof RedfishError)) return undefined;
  // Met after a reset was posted, whatever its kind: that reset may have been carried out.
  if (e.afterReset) return 'unknown';
  if (e instanceof RedfishHttpError) return (e.status ?? 500) < 500 ? 'refused' : 'unknown';
  if (e instanceof RedfishTimeoutError || e instanceof RedfishConnectionError) return e.requestSent ? 'unknown' : 'refused';
  if (e instanceof RedfishTaskError || e instanceof RedfishProtocolError) return 'unknown';
  if (e instanceof RedfishAuthError || e instanceof RedfishCertificateChangedError || e instanceof RedfishTlsError || e instanceof RedfishNotSupportedError || e instanceof RedfishStateError) return 'refused';
  // Anything else (a client closed under a reset it had sent, say) may have come after the reset.
  return 'unknown';
}
