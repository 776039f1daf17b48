/**
 * User and channel access, IPMI v2.0 sections 22.22-22.30 (App): Set Channel Access (0x40),
 * Get Channel Access (0x41), Set User Access (0x43), Get User Access (0x44), Set User Name (0x45),
 * Get User Name (0x46), Set User Password (0x47).
 */
import { defineCommand, invalidRequestField, noData, requestLength, trimTrailingZeros } from './command.ts';
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

function accessModeCode(mode: AccessMode, command: string): number {
  const i = ACCESS_MODES.indexOf(mode);
  if (i < 0) throw new IpmiProtocolError(`${command}: channel access mode "${mode}" is unknown`);
  return i;
}

/** Byte 2 of Set Channel Access and byte 1 of the Get Channel Access reply, without bits 7:6. */
function accessByte(a: ChannelAccess, command: string): number {
  return (a.alertingEnabled ? 0 : 0x20) | (a.perMessageAuthEnabled ? 0 : 0x10) | (a.userLevelAuthEnabled ? 0 : 0x08) | accessModeCode(a.accessMode, command);
}

/** Section 22.23. Byte 2 bits 7:6: 01b non-volatile, 10b volatile (present) setting. */
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
  decodeRequest(data) {
    requestLength(data, 'Get Channel Access', 2);
    const which = data[1] >> 6;
    if (which !== 1 && which !== 2) throw invalidRequestField('Get Channel Access', `bits 7:6 of byte 2 are ${which.toString(2).padStart(2, '0')}b, neither 01b nor 10b`);
    return { channel: data[0] & 0x0f, volatile: which === 2 };
  },
  encodeResponse: (a) => Buffer.from([accessByte(a, 'Get Channel Access'), a.privilegeLimit & 0x0f]),
});

/** Bits 7:6 of bytes 2 and 3 of Set Channel Access: which copy a byte writes, or none. */
export type AccessTarget = 'keep' | 'non-volatile' | 'volatile';
const TARGETS: readonly (AccessTarget | undefined)[] = ['keep', 'non-volatile', 'volatile', undefined];
const TARGET_BITS: Readonly<Record<AccessTarget, number>> = { keep: 0x00, 'non-volatile': 0x40, volatile: 0x80 };

export interface SetChannelAccessRequest {
  channel: number;
  access: ChannelAccess;
  /** The copy both bytes write: volatile (in effect now) or non-volatile (kept over a reset). */
  volatile: boolean;
  /** Byte 2 (access mode and enable bits) writes another copy, or none ('keep'), than `volatile` names. */
  accessTarget?: AccessTarget;
  /** Byte 3 (privilege limit) writes another copy, or none ('keep'), than `volatile` names. */
  privilegeTarget?: AccessTarget;
}

/**
 * Section 22.22. lowpower writes both the non-volatile and (by a second call) the volatile copy, as
 * ipmitool does; the BMC side reports each byte's target (ipmitool also sends "don't set" for one).
 */
export const setChannelAccess = defineCommand<SetChannelAccessRequest, void>({
  name: 'Set Channel Access',
  netFn: NetFn.app,
  cmd: 0x40,
  completionCodes: { 0x82: 'set not supported on selected channel', 0x83: 'access mode not supported' },
  encode(req) {
    const copy: AccessTarget = req.volatile ? 'volatile' : 'non-volatile';
    const a = TARGET_BITS[req.accessTarget ?? copy] | accessByte(req.access, 'Set Channel Access');
    return Buffer.from([req.channel & 0x0f, a, TARGET_BITS[req.privilegeTarget ?? copy] | (req.access.privilegeLimit & 0x0f)]);
  },
  decode: () => undefined,
  decodeRequest(data) {
    requestLength(data, 'Set Channel Access', 3);
    const accessTarget = TARGETS[data[1] >> 6];
    const privilegeTarget = TARGETS[data[2] >> 6];
    if (!accessTarget || !privilegeTarget) throw invalidRequestField('Set Channel Access', 'bits 7:6 of byte 2 or 3 are the reserved 11b');
    const accessMode = ACCESS_MODES[data[1] & 0x07];
    if (!accessMode) throw invalidRequestField('Set Channel Access', `access mode ${data[1] & 0x07} is reserved`);
    return {
      channel: data[0] & 0x0f,
      access: {
        accessMode,
        alertingEnabled: (data[1] & 0x20) === 0,
        perMessageAuthEnabled: (data[1] & 0x10) === 0,
        userLevelAuthEnabled: (data[1] & 0x08) === 0,
        privilegeLimit: data[2] & 0x0f,
      },
      volatile: accessTarget === 'volatile' || (accessTarget === 'keep' && privilegeTarget === 'volatile'),
      accessTarget,
      privilegeTarget,
    };
  },
  encodeResponse: noData,
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

const ENABLE_STATUS_BITS: Readonly<Record<UserAccess['enableStatus'], number>> = { unspecified: 0x00, enabled: 0x40, disabled: 0x80 };

/** Section 22.27, table 22-33. */
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
  decodeRequest(data) {
    requestLength(data, 'Get User Access', 2);
    return { channel: data[0] & 0x0f, userId: data[1] & 0x3f };
  },
  encodeResponse(u) {
    const status = ENABLE_STATUS_BITS[u.enableStatus];
    if (status === undefined) throw new IpmiProtocolError(`Get User Access: enable status "${u.enableStatus}" is unknown`);
    return Buffer.from([
      u.maxUsers & 0x3f,
      status | (u.enabledUsers & 0x3f),
      u.fixedNameUsers & 0x3f,
      (u.callbackOnly ? 0x40 : 0) | (u.linkAuthEnabled ? 0x20 : 0) | (u.ipmiMessagingEnabled ? 0x10 : 0) | (u.privilegeLimit & 0x0f),
    ]);
  },
});

export interface SetUserAccessRequest {
  channel: number;
  userId: number;
  privilegeLimit: number;
  ipmiMessaging: boolean;
  linkAuth: boolean;
  callbackOnly?: boolean;
  /** Byte 1 bit 7: apply the callback / link auth / IPMI messaging bits (default); clear changes only the privilege limit. */
  changeFlags?: boolean;
  /** Optional byte 4, bits 3:0: the user's simultaneous session limit (0: only the channel's limit). */
  sessionLimit?: number;
}

/** Section 22.26. */
export const setUserAccess = defineCommand<SetUserAccessRequest, void>({
  name: 'Set User Access',
  netFn: NetFn.app,
  cmd: 0x43,
  encode(req) {
    const bytes = [
      ((req.changeFlags ?? true) ? 0x80 : 0) | (req.callbackOnly ? 0x40 : 0) | (req.linkAuth ? 0x20 : 0) | (req.ipmiMessaging ? 0x10 : 0) | (req.channel & 0x0f),
      req.userId & 0x3f,
      req.privilegeLimit & 0x0f,
    ];
    if (req.sessionLimit !== undefined) bytes.push(req.sessionLimit & 0x0f);
    return Buffer.from(bytes);
  },
  decode: () => undefined,
  decodeRequest(data) {
    requestLength(data, 'Set User Access', 3, 4);
    const b = data[0];
    const req: SetUserAccessRequest = {
      channel: b & 0x0f,
      userId: data[1] & 0x3f,
      privilegeLimit: data[2] & 0x0f,
      ipmiMessaging: (b & 0x10) !== 0,
      linkAuth: (b & 0x20) !== 0,
      callbackOnly: (b & 0x40) !== 0,
      changeFlags: (b & 0x80) !== 0,
    };
    if (data.length === 4) req.sessionLimit = data[3] & 0x0f;
    return req;
  },
  encodeResponse: noData,
});

/** Section 22.29: the name in a 16-byte zero-padded field (ASCII; read as Latin-1). */
export const getUserName = defineCommand<{ userId: number }, { name: string }>({
  name: 'Get User Name',
  netFn: NetFn.app,
  cmd: 0x46,
  encode: (req) => Buffer.from([req.userId & 0x3f]),
  decode: (data) => ({ name: cString(new ByteReader(data, 'Get User Name').bytes(16)) }),
  decodeRequest(data) {
    requestLength(data, 'Get User Name', 1);
    return { userId: data[0] & 0x3f };
  },
  encodeResponse(res) {
    // Latin-1, as the decoder reads it; a NUL would end the name early.
    if (/[^\x01-\xff]/.test(res.name)) throw new IpmiProtocolError(`Get User Name: user name "${res.name}" has a character outside Latin-1 or a NUL`);
    return fixedField(Buffer.from(res.name, 'latin1'), 16, 'user name');
  },
});

/**
 * Section 22.28. The BMC side takes the name up to its first NUL, and refuses names that are not
 * ASCII (0xCC): the specification's names are ASCII, and the console sends UTF-8.
 */
export const setUserName = defineCommand<{ userId: number; name: string }, void>({
  name: 'Set User Name',
  netFn: NetFn.app,
  cmd: 0x45,
  encode: (req) => Buffer.concat([Buffer.from([req.userId & 0x3f]), fixedField(req.name, 16, 'user name')]),
  decode: () => undefined,
  decodeRequest(data) {
    requestLength(data, 'Set User Name', 17);
    const name = cString(data.subarray(1, 17));
    if (/[^\x00-\x7f]/.test(name)) throw invalidRequestField('Set User Name', 'the user name is not ASCII');
    return { userId: data[0] & 0x3f, name };
  },
  encodeResponse: noData,
});

export const UserPasswordOperation = { disable: 0, enable: 1, set: 2, test: 3 } as const;

export interface SetUserPasswordRequest {
  userId: number;
  operation: number;
  /** Set and test: the password, padded with zeros to its field (decoded without the padding). */
  password?: Buffer;
  /** Byte 1 bit 7: a 20-byte password field (IPMI v2.0) rather than 16 bytes. */
  twentyBytes?: boolean;
}

/** Section 22.30. Disable and enable carry no password; set and test carry a 16- or 20-byte field. */
export const setUserPassword = defineCommand<SetUserPasswordRequest, void>({
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
  decodeRequest(data) {
    requestLength(data, 'Set User Password', 2, 22);
    const twentyBytes = (data[0] & 0x80) !== 0;
    const userId = data[0] & 0x3f;
    const operation = data[1] & 0x03;
    if (operation === UserPasswordOperation.disable || operation === UserPasswordOperation.enable) {
      // A password field, when sent, is ignored; it still has to be of the size byte 1 announces.
      if (data.length !== 2) requestLength(data, 'Set User Password', twentyBytes ? 22 : 18);
      return { userId, operation, twentyBytes };
    }
    requestLength(data, 'Set User Password', twentyBytes ? 22 : 18);
    return { userId, operation, twentyBytes, password: trimTrailingZeros(data.subarray(2)) };
  },
  encodeResponse: noData,
});
