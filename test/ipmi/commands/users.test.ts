import { describe, expect, it } from 'vitest';
import {
  getChannelAccess,
  getUserAccess,
  getUserName,
  setChannelAccess,
  setUserAccess,
  setUserName,
  setUserPassword,
  UserPasswordOperation,
  type AccessMode,
  type ChannelAccess,
} from '../../../lib/ipmi/commands/users.ts';
import { Privilege } from '../../../lib/ipmi/commands/command.ts';
import { expectProtocolError, expectShortRepliesRefused } from './expect-protocol-error.ts';

describe('Get Channel Access (App 0x41)', () => {
  it('is App command 0x41; asks the non-volatile (0x40) or volatile (0x80) setting', () => {
    expect([getChannelAccess.netFn, getChannelAccess.cmd]).toEqual([0x06, 0x41]);
    expect(getChannelAccess.encode({ channel: 1 })).toEqual(Buffer.from([0x01, 0x40]));
    expect(getChannelAccess.encode({ channel: 1, volatile: true })).toEqual(Buffer.from([0x01, 0x80]));
  });
  it('decodes the inverted enable bits and the access mode', () => {
    expect(getChannelAccess.decode(Buffer.from([0x22, 0x04]))).toEqual({ accessMode: 'always', alertingEnabled: false, perMessageAuthEnabled: true, userLevelAuthEnabled: true, privilegeLimit: 4 });
    expect(getChannelAccess.decode(Buffer.from([0x19, 0xf3]))).toEqual({ accessMode: 'pre-boot', alertingEnabled: true, perMessageAuthEnabled: false, userLevelAuthEnabled: false, privilegeLimit: 3 });
    expect(getChannelAccess.decode(Buffer.from([0x03, 0x02])).accessMode).toBe('shared');
    expect(getChannelAccess.decode(Buffer.from([0x00, 0x02])).accessMode).toBe('disabled');
  });
  it('refuses replies shorter than 2 bytes with IpmiProtocolError', () => {
    expectShortRepliesRefused((b) => getChannelAccess.decode(b), Buffer.from([0x22, 0x04]), 2);
  });
});

describe('Set Channel Access (App 0x40)', () => {
  const access: ChannelAccess = { accessMode: 'always', alertingEnabled: false, perMessageAuthEnabled: true, userLevelAuthEnabled: true, privilegeLimit: 4 };
  it('is App command 0x40', () => {
    expect([setChannelAccess.netFn, setChannelAccess.cmd]).toEqual([0x06, 0x40]);
  });
  it('writes the non-volatile setting: bits 7:6 = 01b in bytes 2 and 3', () => {
    expect(setChannelAccess.encode({ channel: 1, access, volatile: false })).toEqual(Buffer.from([0x01, 0x62, 0x44]));
  });
  it('writes the volatile setting: bits 7:6 = 10b', () => {
    expect(setChannelAccess.encode({ channel: 1, access, volatile: true })).toEqual(Buffer.from([0x01, 0xa2, 0x84]));
  });
  it('sets the "disable" bits for what is not enabled', () => {
    const off = { accessMode: 'disabled' as AccessMode, alertingEnabled: false, perMessageAuthEnabled: false, userLevelAuthEnabled: false, privilegeLimit: 2 };
    expect(setChannelAccess.encode({ channel: 2, access: off, volatile: false })).toEqual(Buffer.from([0x02, 0x78, 0x42]));
  });
  it('refuses an unknown access mode', () => {
    expectProtocolError(() => setChannelAccess.encode({ channel: 1, access: { ...access, accessMode: 'sometimes' as AccessMode }, volatile: false }), /unknown/);
  });
});

describe('Get User Access (App 0x44)', () => {
  it('is App command 0x44 with channel and user id', () => {
    expect([getUserAccess.netFn, getUserAccess.cmd]).toEqual([0x06, 0x44]);
    expect(getUserAccess.encode({ channel: 1, userId: 2 })).toEqual(Buffer.from([0x01, 0x02]));
    expect(getUserAccess.encode({ channel: 0x11, userId: 0x42 })).toEqual(Buffer.from([0x01, 0x02]));
  });
  it('decodes the reply of table 22-33', () => {
    expect(getUserAccess.decode(Buffer.from([0x0a, 0x42, 0x01, 0x34]))).toEqual({
      maxUsers: 10,
      enabledUsers: 2,
      enableStatus: 'enabled',
      fixedNameUsers: 1,
      callbackOnly: false,
      linkAuthEnabled: true,
      ipmiMessagingEnabled: true,
      privilegeLimit: 4,
    });
  });
  it('decodes the user id enable status (byte 3 bits 7:6) and the callback bit', () => {
    const status = (b: number) => getUserAccess.decode(Buffer.from([0x0a, b, 0x00, 0x00])).enableStatus;
    expect(status(0x02)).toBe('unspecified');
    expect(status(0x42)).toBe('enabled');
    expect(status(0x82)).toBe('disabled');
    expect(status(0xc2)).toBe('unspecified');
    const d = getUserAccess.decode(Buffer.from([0xca, 0x3f, 0xc1, 0x4f]));
    expect(d).toMatchObject({ maxUsers: 10, enabledUsers: 0x3f, fixedNameUsers: 1, callbackOnly: true, linkAuthEnabled: false, ipmiMessagingEnabled: false, privilegeLimit: Privilege.noAccess });
  });
  it('refuses replies shorter than 4 bytes with IpmiProtocolError', () => {
    expectShortRepliesRefused((b) => getUserAccess.decode(b), Buffer.from([0x0a, 0x42, 0x01, 0x34]), 4);
  });
});

describe('Set User Access (App 0x43)', () => {
  it('is App command 0x43', () => {
    expect([setUserAccess.netFn, setUserAccess.cmd]).toEqual([0x06, 0x43]);
  });
  it('sets "enable changing" (bit 7) with the access bits and the channel in byte 1', () => {
    expect(setUserAccess.encode({ channel: 1, userId: 3, privilegeLimit: Privilege.operator, ipmiMessaging: true, linkAuth: false })).toEqual(Buffer.from([0x91, 0x03, 0x03]));
    expect(setUserAccess.encode({ channel: 1, userId: 3, privilegeLimit: Privilege.administrator, ipmiMessaging: true, linkAuth: true, callbackOnly: true })).toEqual(Buffer.from([0xf1, 0x03, 0x04]));
    expect(setUserAccess.encode({ channel: 2, userId: 5, privilegeLimit: Privilege.noAccess, ipmiMessaging: false, linkAuth: false })).toEqual(Buffer.from([0x82, 0x05, 0x0f]));
  });
});

describe('Get / Set User Name (App 0x46 / 0x45)', () => {
  it('are App commands 0x46 and 0x45', () => {
    expect([getUserName.netFn, getUserName.cmd]).toEqual([0x06, 0x46]);
    expect([setUserName.netFn, setUserName.cmd]).toEqual([0x06, 0x45]);
    expect(getUserName.encode({ userId: 2 })).toEqual(Buffer.from([0x02]));
  });
  it('decodes a zero-padded 16-byte name', () => {
    expect(getUserName.decode(Buffer.concat([Buffer.from('admin'), Buffer.alloc(11)]))).toEqual({ name: 'admin' });
    expect(getUserName.decode(Buffer.from('0123456789abcdef'))).toEqual({ name: '0123456789abcdef' });
  });
  it('refuses replies shorter than the 16-byte name field with IpmiProtocolError', () => {
    // Table 22-29: response bytes 2-17 are the name; ipmitool also refuses any other length.
    expectShortRepliesRefused((b) => getUserName.decode(b), Buffer.concat([Buffer.from('admin'), Buffer.alloc(11)]), 16);
  });
  it('sends the user id and the name in a 16-byte field', () => {
    expect(setUserName.encode({ userId: 3, name: 'operator' })).toEqual(Buffer.concat([Buffer.from([0x03]), Buffer.from('operator'), Buffer.alloc(8)]));
    expectProtocolError(() => setUserName.encode({ userId: 3, name: 'a'.repeat(17) }), /longer than 16/);
  });
});

describe('Set User Password (App 0x47)', () => {
  it('is App command 0x47 with its completion codes', () => {
    expect([setUserPassword.netFn, setUserPassword.cmd]).toEqual([0x06, 0x47]);
    expect(Object.keys(setUserPassword.completionCodes ?? {}).map(Number)).toEqual([0x80, 0x81]);
    expect(UserPasswordOperation).toEqual({ disable: 0, enable: 1, set: 2, test: 3 });
  });
  it('sets a password in a 16-byte field (byte 1 bit 7 clear)', () => {
    const req = setUserPassword.encode({ userId: 2, operation: UserPasswordOperation.set, password: Buffer.from('secret') });
    expect(req.length).toBe(18);
    expect([...req.subarray(0, 2)]).toEqual([0x02, 0x02]);
    expect(req.subarray(2)).toEqual(Buffer.concat([Buffer.from('secret'), Buffer.alloc(10)]));
  });
  it('sets a password in a 20-byte field (byte 1 bit 7 set)', () => {
    const req = setUserPassword.encode({ userId: 2, operation: UserPasswordOperation.set, password: Buffer.from('0123456789abcdefghij'), twentyBytes: true });
    expect(req.length).toBe(22);
    expect([...req.subarray(0, 2)]).toEqual([0x82, 0x02]);
    expect(req.subarray(2).toString()).toBe('0123456789abcdefghij');
  });
  it('tests a password with operation 11b', () => {
    const req = setUserPassword.encode({ userId: 4, operation: UserPasswordOperation.test, password: Buffer.from('pw') });
    expect([...req.subarray(0, 2)]).toEqual([0x04, 0x03]);
    expect(req.length).toBe(18);
  });
  it('enables and disables a user with no password bytes', () => {
    expect(setUserPassword.encode({ userId: 2, operation: UserPasswordOperation.enable })).toEqual(Buffer.from([0x02, 0x01]));
    expect(setUserPassword.encode({ userId: 2, operation: UserPasswordOperation.disable, password: Buffer.from('ignored') })).toEqual(Buffer.from([0x02, 0x00]));
  });
  it('refuses passwords that do not fit the field, and set/test without a password', () => {
    expectProtocolError(() => setUserPassword.encode({ userId: 2, operation: UserPasswordOperation.set, password: Buffer.alloc(17, 0x61) }), /longer than 16/);
    expectProtocolError(() => setUserPassword.encode({ userId: 2, operation: UserPasswordOperation.set, password: Buffer.alloc(21, 0x61), twentyBytes: true }), /longer than 20/);
    expectProtocolError(() => setUserPassword.encode({ userId: 2, operation: UserPasswordOperation.set }), /required/);
    expectProtocolError(() => setUserPassword.encode({ userId: 2, operation: UserPasswordOperation.test }), /required/);
  });
});
