/**
 * What a power command's error says about the command, for the step that sent it: refused (not
 * carried out: the BMC said no, or the command never left), or unknown (it may have been carried
 * out: only the chassis can tell). Anything else is not a BMC's error.
 *
 * - IPMI: a completion code is the BMC's no; a refused or impossible login sends no command; any
 *   other error (a lost answer) is unknown.
 * - Redfish: a 4xx answer is the BMC's no (a 401 means it did not act on the request); a refused
 *   certificate, a failed handshake, a reset type not offered, or a BMC that did not answer before
 *   the request left, sent nothing; a lost answer after sending, a 5xx answer, a task that ended
 *   badly, a malformed answer, a state the driver would not act on (it may come after an off of a
 *   cycle) and anything else are unknown.
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
  RedfishTaskError,
  RedfishTimeoutError,
  RedfishTlsError,
} from '../redfish/errors.ts';

export type CommandFailure = 'refused' | 'unknown';

export function commandFailure(e: unknown): CommandFailure | undefined {
  if (e instanceof IpmiError) {
    return e instanceof IpmiCompletionCodeError || e instanceof IpmiAuthError || e instanceof IpmiPasswordTooLongError || e instanceof IpmiInsecureError ? 'refused' : 'unknown';
  }
  if (!(e instanceof RedfishError)) return undefined;
  if (e instanceof RedfishHttpError) return (e.status ?? 500) < 500 ? 'refused' : 'unknown';
  if (e instanceof RedfishTimeoutError || e instanceof RedfishConnectionError) return e.requestSent ? 'unknown' : 'refused';
  if (e instanceof RedfishTaskError || e instanceof RedfishProtocolError) return 'unknown';
  if (e instanceof RedfishAuthError || e instanceof RedfishCertificateChangedError || e instanceof RedfishTlsError || e instanceof RedfishNotSupportedError) return 'refused';
  // Anything else (a client closed under a reset it had sent, say) may have come after the reset.
  return 'unknown';
}
