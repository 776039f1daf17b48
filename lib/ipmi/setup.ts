/**
 * `setup`: what ipmitool's bmcautoconf.sh does by hand, over the LAN and idempotent. It brings a
 * BMC to a wanted state (static address, netmask, gateway, channel access, one administrator) and
 * reports, step by step, what it changed and what was already right.
 */
import type { Bmc } from './client.ts';
import { encodeIPv4, encodeNetmask } from './commands/lan-config.ts';
import { Privilege, privilegeName } from './commands/command.ts';
import { IpmiError } from './errors.ts';

export interface SetupSpec {
  channel: number;
  ipAddress?: string;
  netmask?: string;
  gatewayIp?: string;
  userId: number;
  userName: string;
  userPassword: string;
  /** Privilege limit for the user and the channel; administrator by default. */
  privilege?: number;
}

export interface SetupStep {
  what: string;
  result: 'changed' | 'already' | 'would change';
  detail: string;
}

/** Check every value before anything is sent, so a typo changes nothing. */
export function validateSetup(s: SetupSpec): void {
  if (s.ipAddress !== undefined) encodeIPv4(s.ipAddress);
  if (s.netmask !== undefined) encodeNetmask(s.netmask);
  if (s.gatewayIp !== undefined) encodeIPv4(s.gatewayIp, 'gateway');
  if (!Number.isInteger(s.userId) || s.userId < 2 || s.userId > 63) throw new IpmiError(`setup: user ID ${s.userId} must be 2-63 (1 is anonymous)`);
  if (!s.userName || Buffer.byteLength(s.userName) > 16) throw new IpmiError('setup: the user name must be 1-16 bytes');
  const pw = Buffer.byteLength(s.userPassword);
  if (pw === 0 || pw > 20) throw new IpmiError('setup: the password must be 1-20 bytes');
  if (!Number.isInteger(s.channel) || s.channel < 1 || s.channel > 15) throw new IpmiError(`setup: channel ${s.channel} is not 1-15`);
}

export async function setupBmc(bmc: Bmc, s: SetupSpec, o: { dryRun?: boolean } = {}): Promise<SetupStep[]> {
  validateSetup(s);
  const privilege = s.privilege ?? Privilege.administrator;
  const steps: SetupStep[] = [];
  const step = async (what: string, right: boolean, detail: string, apply: () => Promise<void>): Promise<void> => {
    if (right) {
      steps.push({ what, result: 'already', detail });
      return;
    }
    if (!o.dryRun) await apply();
    steps.push({ what, result: o.dryRun ? 'would change' : 'changed', detail });
  };

  // The user first: it must exist before anything moves the BMC on the network.
  const users = await bmc.users(s.channel);
  const user = users.find((u) => u.id === s.userId);
  if (!user) throw new IpmiError(`${bmc.key}: user ID ${s.userId} does not exist (the BMC has ${users.length} user slots)`);
  await step('user name', user.name === s.userName, `user ${s.userId} named "${s.userName}"`, () => bmc.setUser({ userId: s.userId, name: s.userName }));
  const accessRight = user.privilege === privilege && user.ipmiMessaging && user.linkAuth;
  await step('user access', accessRight, `user ${s.userId} ${privilegeName(privilege)} on channel ${s.channel}, IPMI messaging on`, () =>
    bmc.setUser({ userId: s.userId, channel: s.channel, privilege }),
  );
  // Whether the password is right is proven by logging in with it: Set User Password's "test"
  // operation is not reliable (OpenIPMI answers success for any password). A login also proves
  // the user enabled where the BMC does not report that state.
  const canLogin = user.name === s.userName && accessRight ? await bmc.checkLogin(s.userName, s.userPassword) : false;
  const enabledRight = user.enabled === true || (user.enabled === null && canLogin);
  await step('user enabled', enabledRight, `user ${s.userId} enabled`, () => bmc.setUser({ userId: s.userId, enable: true }));
  const passwordRight = canLogin;
  await step('user password', passwordRight, `user ${s.userId} password (checked by logging in)`, async () => {
    await bmc.setUser({ userId: s.userId, password: s.userPassword });
    if (!(await bmc.checkLogin(s.userName, s.userPassword))) {
      throw new IpmiError(`${bmc.key}: user ${s.userId} still cannot log in after setup; check the channel's authentication settings`);
    }
  });

  const access = await bmc.channelAccess(s.channel);
  const channelRight = access.accessMode === 'always' && access.privilegeLimit === privilege;
  await step('channel access', channelRight, `channel ${s.channel} always available, limit ${privilegeName(privilege)}`, () =>
    bmc.setChannelAccess(s.channel, { ...access, accessMode: 'always', privilegeLimit: privilege }),
  );

  // Network last: changing the address moves the BMC away from this session.
  const lan = await bmc.lanConfig(s.channel);
  await step('ip source', lan.ipSource === 'static', 'static address', () => bmc.setLanConfig(s.channel, { ipSource: 'static' }));
  if (s.netmask !== undefined) {
    await step('netmask', lan.netmask === s.netmask, `netmask ${s.netmask}`, () => bmc.setLanConfig(s.channel, { netmask: s.netmask }));
  }
  if (s.gatewayIp !== undefined) {
    await step('gateway', lan.gatewayIp === s.gatewayIp, `default gateway ${s.gatewayIp}`, () => bmc.setLanConfig(s.channel, { gatewayIp: s.gatewayIp }));
  }
  if (s.ipAddress !== undefined) {
    await step('ip address', lan.ipAddress === s.ipAddress, `address ${s.ipAddress}`, () => bmc.setLanConfig(s.channel, { ipAddress: s.ipAddress }));
  }
  return steps;
}
