import { describe, expect, it } from 'vitest';
import { activateSession, getSessionChallenge } from '../../../lib/ipmi/commands/session-v15.ts';
import { AuthType } from '../../../lib/ipmi/codec/lan15.ts';
import { expectProtocolError, expectShortRepliesRefused } from './expect-protocol-error.ts';

const CHALLENGE = Buffer.from('00112233445566778899aabbccddeeff', 'hex');

describe('Get Session Challenge (App 0x39)', () => {
  it('is App command 0x39 with its completion codes', () => {
    expect([getSessionChallenge.netFn, getSessionChallenge.cmd]).toEqual([0x06, 0x39]);
    expect(getSessionChallenge.completionCodes?.[0x81]).toBe('invalid user name');
    expect(getSessionChallenge.completionCodes?.[0x82]).toBe('null user name not enabled');
  });
  it('sends the auth type and the user name in a 16-byte zero-padded field', () => {
    const req = getSessionChallenge.encode({ authType: AuthType.md5, username: Buffer.from('admin') });
    expect(req.length).toBe(17);
    expect(req[0]).toBe(0x02);
    expect(req.subarray(1)).toEqual(Buffer.concat([Buffer.from('admin'), Buffer.alloc(11)]));
  });
  it('sends the null user as 16 zero bytes', () => {
    expect(getSessionChallenge.encode({ authType: AuthType.none, username: Buffer.alloc(0) })).toEqual(Buffer.alloc(17));
  });
  it('refuses a user name longer than 16 bytes', () => {
    expectProtocolError(() => getSessionChallenge.encode({ authType: AuthType.md5, username: Buffer.alloc(17, 0x61) }), /longer than 16/);
  });
  it('decodes the temporary session id and the challenge', () => {
    const r = getSessionChallenge.decode(Buffer.concat([Buffer.from([0x78, 0x56, 0x34, 0x12]), CHALLENGE]));
    expect(r).toEqual({ temporarySessionId: 0x12345678, challenge: CHALLENGE });
  });
  it('refuses replies shorter than 20 bytes with IpmiProtocolError', () => {
    expectShortRepliesRefused((b) => getSessionChallenge.decode(b), Buffer.concat([Buffer.from([1, 0, 0, 0]), CHALLENGE]), 20);
  });
});

describe('Activate Session (App 0x3A)', () => {
  it('is App command 0x3A with its completion codes', () => {
    expect([activateSession.netFn, activateSession.cmd]).toEqual([0x06, 0x3a]);
    expect(Object.keys(activateSession.completionCodes ?? {}).map(Number)).toEqual([0x81, 0x82, 0x83, 0x84, 0x85, 0x86]);
  });
  it('sends auth type, privilege, challenge and the initial outbound sequence (LS first)', () => {
    const req = activateSession.encode({ authType: AuthType.md5, privilege: 4, challenge: CHALLENGE, initialOutboundSequence: 0x01020304 });
    expect(req).toEqual(Buffer.concat([Buffer.from([0x02, 0x04]), CHALLENGE, Buffer.from([0x04, 0x03, 0x02, 0x01])]));
  });
  it('refuses a challenge longer than 16 bytes', () => {
    expectProtocolError(() => activateSession.encode({ authType: 2, privilege: 4, challenge: Buffer.alloc(17), initialOutboundSequence: 1 }));
  });
  it('decodes the session', () => {
    expect(activateSession.decode(Buffer.from([0xf2, 0x01, 0x02, 0x03, 0x04, 0x10, 0x00, 0x00, 0x00, 0xf4]))).toEqual({
      authType: 2,
      sessionId: 0x04030201,
      initialInboundSequence: 0x10,
      maxPrivilege: 4,
    });
  });
  it('refuses replies shorter than 10 bytes with IpmiProtocolError', () => {
    expectShortRepliesRefused((b) => activateSession.decode(b), Buffer.from([0x02, 1, 2, 3, 4, 5, 6, 7, 8, 0x04]), 10);
  });
});
