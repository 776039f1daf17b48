/** A new, not yet opened session for one BMC and one login plan: RMCP+ (the suites to try) or IPMI v1.5. */
import type { BmcOptions } from '../bmc-options.ts';
import type { Peer } from '../transport/exchange.ts';
import { Lan15Session } from './lan15-session.ts';
import { LanPlusSession } from './lanplus-session.ts';
import type { LoginPlan } from './login.ts';
import type { Credentials, HostQuirkView, IpmiSession } from './session.ts';

export function newSession(o: BmcOptions, peer: Peer, plan: LoginPlan, hq: HostQuirkView): IpmiSession {
  const password = typeof o.password === 'string' ? Buffer.from(o.password, 'utf8') : o.password;
  const creds: Credentials = { username: o.username, password, kg: o.kg };
  const timeoutMs = o.timeoutMs ?? 2000;
  const common = { privilege: plan.privilege, timeoutMs, retries: o.retries ?? 3, insecure: !!o.insecure, hq };
  if (o.lan15) return new Lan15Session(peer, creds, { ...common, allowPlainPassword: !!o.allowPlainPassword });
  return new LanPlusSession(peer, creds, {
    ...common,
    cipherSuites: o.cipherSuite === undefined ? [17, 3] : [o.cipherSuite],
    fallbackMs: o.fallbackMs ?? 1000,
    paddedUserName: plan.paddedUserName,
  });
}

