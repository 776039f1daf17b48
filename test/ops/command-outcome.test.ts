/** What a power command's error says about the command (refused, or unknown: left to the chassis), for both protocols; pure. */
import { describe, expect, it } from 'vitest';
import { commandFailure } from '../../lib/ops/command-outcome.ts';
import { XapiError, XapiTaskTimeoutError, XapiUnreachableError } from '../../lib/xen/index.ts';
import { IpmiAuthError, IpmiCompletionCodeError, IpmiProtocolError, IpmiTimeoutError } from '../../lib/ipmi/errors.ts';
import {
  RedfishAuthError,
  RedfishCertificateChangedError,
  RedfishConnectionError,
  RedfishDeadlineError,
  RedfishError,
  RedfishHttpError,
  RedfishNotSupportedError,
  RedfishProtocolError,
  RedfishStateError,
  RedfishTaskError,
  RedfishTimeoutError,
  RedfishTlsError,
  afterReset,
} from '../../lib/redfish/errors.ts';

const BMC = '10.0.0.9:443';
const RESET = '/redfish/v1/Systems/1/Actions/ComputerSystem.Reset';

describe('a power command\'s error', () => {
  it('IPMI: a completion code or a refused login is a refusal; a lost answer is left to the chassis', () => {
    expect(commandFailure(new IpmiCompletionCodeError('Chassis Control', 0xc0, 'node busy'))).toBe('refused');
    expect(commandFailure(new IpmiAuthError('10.0.0.9', 623, 'wrong password'))).toBe('refused');
    expect(commandFailure(new IpmiTimeoutError('10.0.0.9', 623, 4, 'Chassis Control', 2000))).toBe('unknown');
    expect(commandFailure(new IpmiProtocolError('a malformed answer'))).toBe('unknown');
  });

  it('Redfish: 4xx is the BMC\'s no; 5xx, a lost answer after sending, a task gone wrong are left to the chassis', () => {
    expect(commandFailure(new RedfishHttpError(BMC, 'POST', RESET, 400, []))).toBe('refused');
    expect(commandFailure(new RedfishHttpError(BMC, 'POST', RESET, 409, []))).toBe('refused');
    expect(commandFailure(new RedfishHttpError(BMC, 'POST', RESET, 500, []))).toBe('unknown');
    expect(commandFailure(new RedfishHttpError(BMC, 'POST', RESET, 503, []))).toBe('unknown');
    expect(commandFailure(new RedfishAuthError(BMC, 'credentials refused'))).toBe('refused');
    expect(commandFailure(new RedfishTimeoutError(BMC, 'POST', RESET, 6000, true))).toBe('unknown');
    expect(commandFailure(new RedfishTimeoutError(BMC, 'GET', '/redfish/v1/Systems/1', 6000, false))).toBe('refused');
    expect(commandFailure(new RedfishConnectionError(BMC, 'POST', RESET, 'ECONNRESET', true))).toBe('unknown');
    expect(commandFailure(new RedfishConnectionError(BMC, 'POST', RESET, 'ECONNREFUSED', false))).toBe('refused');
    expect(commandFailure(new RedfishTaskError(BMC, 'Exception', 'ComputerSystem.Reset ForceOff: the task ended Exception'))).toBe('unknown');
    expect(commandFailure(new RedfishProtocolError(`${BMC}: the answer is not JSON`))).toBe('unknown');
    expect(commandFailure(new RedfishCertificateChangedError(BMC, 'AA', 'BB'))).toBe('refused');
    expect(commandFailure(new RedfishTlsError(BMC, 'no CA bundle'))).toBe('refused');
    expect(commandFailure(new RedfishNotSupportedError(`${BMC}: reset type 'ForceOff' is not offered`))).toBe('refused');
    expect(commandFailure(new RedfishStateError(`${BMC}: the power state is PoweringOn: 'off' not sent on a guess`))).toBe('refused');
    // A reading past its deadline says nothing of a reset: left to the chassis.
    expect(commandFailure(new RedfishDeadlineError(BMC, 'the power state', 60_000))).toBe('unknown');
    expect(commandFailure(new RedfishError(`${BMC}: the Redfish client is closed`))).toBe('unknown');
    // Met after a reset was posted, any of them may hide a reset carried out.
    for (const e of [new RedfishDeadlineError(BMC, 'the power state', 60_000), new RedfishHttpError(BMC, 'GET', '/redfish/v1/Systems/1', 403, []), new RedfishStateError(`${BMC}: cycle: ForceOff sent but the host still reports On`), new RedfishConnectionError(BMC, 'GET', '/redfish/v1/Systems/1', 'ECONNREFUSED', false)]) {
      expect(commandFailure(afterReset(e)), e.message).toBe('unknown');
    }
  });

  it('XAPI: the pool\'s error answer (or its task\'s failure) is its no; no answer, a pending task or one not followed is unknown', () => {
    expect(commandFailure(new XapiError('HOST_IN_USE', ['host-003'], 'host.shutdown'))).toBe('refused');
    expect(commandFailure(new XapiUnreachableError('pool-a:443', 'timeout', 'https://pool-a', 'host.shutdown', 'no answer in 30 s'))).toBe('unknown');
    expect(commandFailure(new XapiTaskTimeoutError('host.shutdown', 'OpaqueRef:t1', 600_000))).toBe('unknown');
    const poll = new XapiError('HANDLE_INVALID', ['task', 'OpaqueRef:t1'], 'task.get_status');
    poll.whileFollowingTask = true;
    expect(commandFailure(poll)).toBe('unknown');
  });

  it('anything else is no BMC\'s answer', () => {
    expect(commandFailure(new Error('the table is away'))).toBeUndefined();
    expect(commandFailure('text')).toBeUndefined();
  });
});
