/** Set Power Restore Policy (Chassis 0x06) and the policy bits of Get Chassis Status. */
import { describe, expect, it } from 'vitest';
import { getChassisStatus, setPowerRestorePolicy, type ChassisStatus } from '../../../lib/ipmi/commands/chassis.ts';
import { expectProtocolError, expectShortRepliesRefused } from './expect-protocol-error.ts';
import { expectLongRequestRefused, expectRequestRefused, expectRequestRoundTrip, expectResponseRoundTrip, expectShortRequestsRefused } from './server-side-helpers.ts';

describe('Set Power Restore Policy (Chassis 0x06)', () => {
  it('is Chassis command 0x06: 0 always off, 1 previous, 2 always on, 3 no change', () => {
    expect([setPowerRestorePolicy.netFn, setPowerRestorePolicy.cmd]).toEqual([0x00, 0x06]);
    expectRequestRoundTrip(setPowerRestorePolicy, { policy: 'always-off' }, [0]);
    expectRequestRoundTrip(setPowerRestorePolicy, { policy: 'previous' }, [1]);
    expectRequestRoundTrip(setPowerRestorePolicy, { policy: 'always-on' }, [2]);
    expectRequestRoundTrip(setPowerRestorePolicy, { policy: 'no-change' }, [3]);
  });

  it('decodes the supported-policy bit mask', () => {
    expect(setPowerRestorePolicy.decode(Buffer.from([0x07]))).toEqual({ supported: ['always-off', 'previous', 'always-on'] });
    expect(setPowerRestorePolicy.decode(Buffer.from([0x05]))).toEqual({ supported: ['always-off', 'always-on'] });
    expect(setPowerRestorePolicy.decode(Buffer.from([0xf8]))).toEqual({ supported: [] });
    expectShortRepliesRefused((b) => setPowerRestorePolicy.decode(b), Buffer.from([7]), 1);
  });

  it('BMC side: one byte, a policy of 0 to 3; the reply is the mask', () => {
    expectShortRequestsRefused(setPowerRestorePolicy, Buffer.from([1]));
    expectLongRequestRefused(setPowerRestorePolicy, Buffer.from([1]));
    expectRequestRefused(() => setPowerRestorePolicy.decodeRequest(Buffer.from([4])), 0xcc, /policy 4/);
    expectResponseRoundTrip(setPowerRestorePolicy, { supported: ['always-off', 'previous', 'always-on'] }, [0x07]);
    expectResponseRoundTrip(setPowerRestorePolicy, { supported: ['previous'] }, [0x02]);
    expectProtocolError(() => setPowerRestorePolicy.encodeResponse({ supported: ['sometimes' as 'previous'] }), /"sometimes" is unknown/);
  });
});

describe('Get Chassis Status: power restore policy, bits 6:5 of the current power state', () => {
  const base: ChassisStatus = getChassisStatus.decode(Buffer.from([0x01, 0x00, 0x00]));
  it('reads 00 always off, 01 previous, 10 always on, 11 unknown', () => {
    expect(getChassisStatus.decode(Buffer.from([0x01, 0, 0])).restorePolicy).toBe('always-off');
    expect(getChassisStatus.decode(Buffer.from([0x21, 0, 0])).restorePolicy).toBe('previous');
    expect(getChassisStatus.decode(Buffer.from([0x41, 0, 0])).restorePolicy).toBe('always-on');
    expect(getChassisStatus.decode(Buffer.from([0x61, 0, 0])).restorePolicy).toBe('unknown');
  });
  it('writes them back in the same bits', () => {
    expect(getChassisStatus.encodeResponse({ ...base, restorePolicy: 'always-on' })[0]).toBe(0x41);
    expect(getChassisStatus.encodeResponse({ ...base, powerOn: false, restorePolicy: 'previous' })[0]).toBe(0x20);
  });
});
