/** BMC users over the LAN: list them, and change one (name, password, privilege, enabled). */
import type { RunCommand } from './commands/command.ts';
import { privilegeName } from './commands/command.ts';
import { getUserAccess, getUserName, setUserAccess, setUserName, setUserPassword, UserPasswordOperation } from './commands/users.ts';
import { IpmiCompletionCodeError, IpmiError } from './errors.ts';

export interface UserInfo {
  id: number;
  name: string;
  enabled: boolean | null;
  privilege: number;
  privilegeName: string;
  ipmiMessaging: boolean;
  linkAuth: boolean;
  callbackOnly: boolean;
}

export interface UserChange {
  userId: number;
  channel?: number;
  name?: string;
  password?: string;
  /** Privilege limit on the channel: 2 user, 3 operator, 4 administrator, 15 no access. */
  privilege?: number;
  enable?: boolean;
}

export async function listUsers(run: RunCommand, channel: number): Promise<UserInfo[]> {
  const first = await run(getUserAccess, { channel, userId: 1 });
  const out: UserInfo[] = [];
  for (let id = 1; id <= first.maxUsers; id++) {
    const access = id === 1 ? first : await run(getUserAccess, { channel, userId: id });
    let name = '';
    try {
      name = (await run(getUserName, { userId: id })).name;
    } catch (e) {
      if (!(e instanceof IpmiCompletionCodeError)) throw e;
    }
    out.push({
      id,
      name,
      enabled: access.enableStatus === 'unspecified' ? null : access.enableStatus === 'enabled',
      privilege: access.privilegeLimit,
      privilegeName: privilegeName(access.privilegeLimit),
      ipmiMessaging: access.ipmiMessagingEnabled,
      linkAuth: access.linkAuthEnabled,
      callbackOnly: access.callbackOnly,
    });
  }
  return out;
}

function passwordBytes(password: string): { bytes: Buffer; twenty: boolean } {
  const bytes = Buffer.from(password, 'utf8');
  if (bytes.length === 0) throw new IpmiError('the new password is empty');
  if (bytes.length > 20) throw new IpmiError('the password is longer than 20 bytes, the IPMI limit');
  return { bytes, twenty: bytes.length > 16 };
}

/** True when `password` is this user's password (Set User Password, "test password"). */
export async function testPassword(run: RunCommand, userId: number, password: string): Promise<boolean> {
  const p = passwordBytes(password);
  try {
    await run(setUserPassword, { userId, operation: UserPasswordOperation.test, password: p.bytes, twentyBytes: p.twenty });
    return true;
  } catch (e) {
    if (e instanceof IpmiCompletionCodeError && (e.code === 0x80 || e.code === 0x81)) return false;
    throw e;
  }
}

export async function setUser(run: RunCommand, c: UserChange): Promise<void> {
  if (!Number.isInteger(c.userId) || c.userId < 1 || c.userId > 63) throw new IpmiError(`user ID ${c.userId} is not 1-63`);
  if (c.userId === 1 && c.name !== undefined) throw new IpmiError('user 1 is the anonymous user; its name cannot be set');
  const pw = c.password !== undefined ? passwordBytes(c.password) : undefined;
  if (c.name !== undefined) await run(setUserName, { userId: c.userId, name: c.name });
  if (pw) await run(setUserPassword, { userId: c.userId, operation: UserPasswordOperation.set, password: pw.bytes, twentyBytes: pw.twenty });
  if (c.privilege !== undefined) {
    await run(setUserAccess, {
      channel: c.channel ?? 1,
      userId: c.userId,
      privilegeLimit: c.privilege,
      ipmiMessaging: c.privilege !== 0x0f,
      linkAuth: c.privilege !== 0x0f,
    });
  }
  if (c.enable !== undefined) {
    await run(setUserPassword, { userId: c.userId, operation: c.enable ? UserPasswordOperation.enable : UserPasswordOperation.disable });
  }
}
