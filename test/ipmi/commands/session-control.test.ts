import { describe, expect, it } from 'vitest';
import { closeSession, setSessionPrivilegeLevel } from '../../../lib/ipmi/commands/session-control.ts';
import { Privilege } from '../../../lib/ipmi/commands/command.ts';
import { expectShortRepliesRefused } from './expect-protocol-error.ts';

describe('Set Session Privilege Level (App 0x3B)', () => {
  it('is App command 0x3B with its completion codes', () => {
    expect([setSessionPrivilegeLevel.netFn, setSessionPrivilegeLevel.cmd]).toEqual([0x06, 0x3b]);
    expect(Object.keys(setSessionPrivilegeLevel.completionCodes ?? {}).map(Number)).toEqual([0x80, 0x81, 0x82]);
  });
  it('sends the privilege in bits 3:0', () => {
    expect(setSessionPrivilegeLevel.encode({ privilege: Privilege.administrator })).toEqual(Buffer.from([0x04]));
    expect(setSessionPrivilegeLevel.encode({ privilege: 0x13 })).toEqual(Buffer.from([0x03]));
  });
  it('decodes the new privilege from bits 3:0', () => {
    expect(setSessionPrivilegeLevel.decode(Buffer.from([0x04]))).toEqual({ privilege: 4 });
    expect(setSessionPrivilegeLevel.decode(Buffer.from([0xf3]))).toEqual({ privilege: 3 });
  });
  it('refuses an empty reply with IpmiProtocolError', () => {
    expectShortRepliesRefused((b) => setSessionPrivilegeLevel.decode(b), Buffer.from([0x04]), 1);
  });
});

describe('Close Session (App 0x3C)', () => {
  it('is App command 0x3C with its completion codes', () => {
    expect([closeSession.netFn, closeSession.cmd]).toEqual([0x06, 0x3c]);
    expect(closeSession.completionCodes?.[0x87]).toMatch(/session ID/);
    expect(closeSession.completionCodes?.[0x88]).toMatch(/session handle/);
  });
  it('sends the session id least significant byte first', () => {
    expect(closeSession.encode({ sessionId: 0x12345678 })).toEqual(Buffer.from([0x78, 0x56, 0x34, 0x12]));
    expect(closeSession.encode({ sessionId: 0xffffffff })).toEqual(Buffer.from([0xff, 0xff, 0xff, 0xff]));
  });
  it('has no response data to decode', () => {
    expect(closeSession.decode(Buffer.alloc(0))).toBeUndefined();
  });
});
