/**
 * The `lowpower bmc` verbs that read or change a BMC's configuration over IPMI: the power restore
 * policy, LAN parameters, users (ipmitool's `chassis policy`, `lan`, `user`).
 */
import { readFileSync } from 'node:fs';
import type { Bmc } from '../ipmi/index.ts';
import { RESTORE_POLICIES, type RestorePolicyChoice } from '../ipmi/index.ts';
import type { IpSource } from '../ipmi/index.ts';
import { intFlag, UsageError } from './args.ts';
import { readSecretFile } from './bmc-connection.ts';
import * as fmt from './format.ts';

export type Out = (text: string, json: unknown) => void;

export async function restorePolicyVerb(bmc: Bmc, rest: string[], out: Out, need: (ok: boolean, u: string) => void): Promise<void> {
  const usage = 'power restore-policy [always-off|previous|always-on]';
  need(rest.length <= 1 && (rest.length === 0 || RESTORE_POLICIES.includes(rest[0] as RestorePolicyChoice)), usage);
  if (rest.length === 0) {
    const policy = await bmc.powerRestorePolicy();
    out(`Power Restore Policy : ${policy}\n`, { restorePolicy: policy });
    return;
  }
  const policy = rest[0] as RestorePolicyChoice;
  const { supported } = await bmc.setPowerRestorePolicy(policy);
  // Read back: the BMC's own word on what it now does, not our request echoed.
  const now = await bmc.powerRestorePolicy();
  out(`Set chassis power restore policy to ${policy}\nPower Restore Policy : ${now}\nSupported policies   : ${supported.join(' ') || 'none reported'}\n`, {
    restorePolicy: now,
    requested: policy,
    supported,
  });
}

export async function lanVerb(bmc: Bmc, sub: string | undefined, rest: string[], out: Out, need: (ok: boolean, u: string) => void): Promise<void> {
  if (sub === 'print') {
    const channel = rest[0] === undefined ? 1 : intFlag(rest[0], 'CHANNEL', 1, 15);
    const l = await bmc.lanConfig(channel);
    out(fmt.formatLan(l), l);
    return;
  }
  need(sub === 'set' && rest.length === 3, 'lan set CHANNEL ipsrc|ipaddr|netmask|defgw VALUE');
  const channel = intFlag(rest[0], 'CHANNEL', 1, 15) as number;
  const [what, value] = [rest[1], rest[2]];
  switch (what) {
    case 'ipsrc':
      need(['static', 'dhcp', 'none', 'bios'].includes(value), 'lan set CHANNEL ipsrc static|dhcp|bios|none');
      await bmc.setLanConfig(channel, { ipSource: (value === 'none' ? 'unspecified' : value) as IpSource });
      break;
    case 'ipaddr':
      await bmc.setLanConfig(channel, { ipAddress: value });
      break;
    case 'netmask':
      await bmc.setLanConfig(channel, { netmask: value });
      break;
    case 'defgw':
      await bmc.setLanConfig(channel, { gatewayIp: value });
      break;
    default:
      need(false, 'lan set CHANNEL ipsrc|ipaddr|netmask|defgw VALUE');
  }
  out(`Set channel ${channel} ${what} to ${value}\n`, { channel, [what]: value });
}

export async function userVerb(
  bmc: Bmc,
  sub: string | undefined,
  rest: string[],
  flags: Record<string, string | boolean>,
  out: Out,
  need: (ok: boolean, u: string) => void,
): Promise<void> {
  if (sub === 'list') {
    const channel = rest[0] === undefined ? 1 : intFlag(rest[0], 'CHANNEL', 1, 15);
    const users = await bmc.users(channel);
    out(fmt.formatUsers(users), users);
    return;
  }
  need(sub === 'set-password' && rest.length === 1, 'user set-password ID [--new-password-file FILE]');
  const userId = intFlag(rest[0], 'ID', 1, 63) as number;
  const newPassword = typeof flags.newPasswordFile === 'string' ? readSecretFile(flags.newPasswordFile, 'new password') : readStdinLine();
  await bmc.setUser({ userId, password: newPassword });
  out(`Set User Password command successful (user ${userId})\n`, { userId, passwordSet: true });
}

function readStdinLine(): string {
  if (process.stdin.isTTY) throw new UsageError('give the new password with --new-password-file FILE (or on standard input)');
  const line = readFileSync(0, 'utf8').split(/\r?\n/)[0];
  if (!line) throw new UsageError('no new password on standard input');
  return line;
}
