/**
 * User and channel access, IPMI v2.0 sections 22.22-22.30 (App): Set Channel Access (0x40),
 * Get Channel Access (0x41), Set User Access (0x43), Get User Access (0x44), Set User Name (0x45),
 * Get User Name (0x46), Set User Password (0x47).
 */
import { defineCommand } from './command.ts';
import { ByteReader, cString, fixedField } from '../codec/bytes.ts';
import { IpmiProtocolError } from '../errors.ts';
import { NetFn } from '../codec/ipmi-message.ts';

export type AccessMode = 'disabled' | 'pre-boot' | 'always' | 'shared';
const ACCESS_MODES: AccessMode[] = ['disabled', 'pre-boot', 'always', 'shared'];

export interface ChannelAccess {
  accessMode: AccessMode;
  alertingEnabled: boolean;
  perMessageAuthEnabled: boolean;
  userLevelAuthEnabled: boolean;
  privilegeLimit: number;
}

export const getChannelAccess = defineCommand<{ channel: number; volatile?: boolean }, ChannelAccess>({
  name: 'Get Channel Access',
  netFn: NetFn.app,
  cmd: 0x41,
  completionCodes: { 0x82: 'set not supported on selected channel', 0x83: 'access mode not supported' },
  encode: (req) => Buffer.from([req.channel & 0x0f, req.volatile ? 0x80 : 0x40]),
  decode(data) {
    const r = new ByteReader(data, 'Get Channel Access');
    const a = r.u8();
    const p = r.u8();
    return {
      accessMode: ACCESS_MODES[a & 0x07] ?? 'disabled',
      alertingEnabled: (a & 0x20) === 0,
      perMessageAuthEnabled: (a & 0x10) === 0,
      userLevelAuthEnabled: (a & 0x08) === 0,
      privilegeLimit: p & 0x0f,
    };
  },
});

/** Writes both the non-volatile and (by a second call) the volatile copy, as ipmitool does. */
export const setChannelAccess = defineCommand<{ channel: number; access: ChannelAccess; volatile: boolean }, void>({
  name: 'Set Channel Access',
  netFn: NetFn.app,
  cmd: 0x40,
  completionCodes: { 0x82: 'set not supported on selected channel', 0x83: 'access mode not supported' },
  encode(req) {
    const where = req.volatile ? 0x80 : 0x40;
    const mode = ACCESS_MODES.indexOf(req.access.accessMode);
    if (mode < 0) throw new IpmiProtocolError(`channel access mode "${req.access.accessMode}" is unknown`);
    const a =
      where |
      (req.access.alertingEnabled ? 0 : 0x20) |
      (req.access.perMessageAuthEnabled ? 0 : 0x10) |
      (req.access.userLevelAuthEnabled ? 0 : 0x08) |
      mode;
    return Buffer.from([req.channel & 0x0f, a, where | (req.access.privilegeLimit & 0x0f)]);
  },
  decode: () => undefined,
});

export interface UserAccess {
  maxUsers: number;
  enabledUsers: number;
  /** Bits 7:6 of byte 2: 'enabled' / 'disabled' as set by Set User Password, or 'unspecified'. */
  enableStatus: 'unspecified' | 'enabled' | 'disabled';
  fixedNameUsers: number;
  callbackOnly: boolean;
  linkAuthEnabled: boolean;
  ipmiMessagingEnabled: boolean;
  privilegeLimit: number;
}

export const getUserAccess = defineCommand<{ channel: number; userId: number }, UserAccess>({
  name: 'Get User Access',
  netFn: NetFn.app,
  cmd: 0x44,
  encode: (req) => Buffer.from([req.channel & 0x0f, req.userId & 0x3f]),
  decode(data) {
    const r = new ByteReader(data, 'Get User Access');
    const max = r.u8();
    const enabled = r.u8();
    const fixed = r.u8();
    const access = r.u8();
    const status = (enabled >> 6) & 3;
    return {
      maxUsers: max & 0x3f,
      enabledUsers: enabled & 0x3f,
      enableStatus: status === 1 ? 'enabled' : status === 2 ? 'disabled' : 'unspecified',
      fixedNameUsers: fixed & 0x3f,
      callbackOnly: (access & 0x40) !== 0,
      linkAuthEnabled: (access & 0x20) !== 0,
      ipmiMessagingEnabled: (access & 0x10) !== 0,
      privilegeLimit: access & 0x0f,
    };
  },
});

export const setUserAccess = defineCommand<
  { channel: number; userId: number; privilegeLimit: number; ipmiMessaging: boolean; linkAuth: boolean; callbackOnly?: boolean },
  void
>({
  name: 'Set User Access',
  netFn: NetFn.app,
  cmd: 0x43,
  encode: (req) =>
    Buffer.from([
      0x80 | (req.callbackOnly ? 0x40 : 0) | (req.linkAuth ? 0x20 : 0) | (req.ipmiMessaging ? 0x10 : 0) | (req.channel & 0x0f),
      req.userId & 0x3f,
      req.privilegeLimit & 0x0f,
    ]),
  decode: () => undefined,
});

export const getUserName = defineCommand<{ userId: number }, { name: string }>({
  name: 'Get User Name',
  netFn: NetFn.app,
  cmd: 0x46,
  encode: (req) => Buffer.from([req.userId & 0x3f]),
  decode: (data) => ({ name: cString(new ByteReader(data, 'Get User Name').bytes(16)) }),
});

export const setUserName = defineCommand<{ userId: number; name: string }, void>({
  name: 'Set User Name',
  netFn: NetFn.app,
  cmd: 0x45,
  encode: (req) => Buffer.concat([Buffer.from([req.userId & 0x3f]), fixedField(req.name, 16, 'user name')]),
  decode: () => undefined,
});

export const UserPasswordOperation = { disable: 0, enable: 1, set: 2, test: 3 } as const;

export const setUserPassword = defineCommand<{ userId: number; operation: number; password?: Buffer; twentyBytes?: boolean }, void>({
  name: 'Set User Password',
  netFn: NetFn.app,
  cmd: 0x47,
  completionCodes: { 0x80: 'password test failed: wrong password', 0x81: 'password test failed: wrong password size' },
  encode(req) {
    const head = Buffer.from([(req.twentyBytes ? 0x80 : 0) | (req.userId & 0x3f), req.operation & 0x03]);
    if (req.operation === UserPasswordOperation.disable || req.operation === UserPasswordOperation.enable) return head;
    if (!req.password) throw new IpmiProtocolError('Set User Password: a password is required for set and test');
    return Buffer.concat([head, fixedField(req.password, req.twentyBytes ? 20 : 16, 'password')]);
  },
  decode: () => undefined,
});
