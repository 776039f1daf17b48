/**
 * One login with the fallbacks of the quirk table: a BMC that refuses Administrator to this
 * account is asked for Operator (when no privilege was asked for explicitly), and a BMC that does
 * not know the user name is asked again with the name padded to 16 bytes. What worked is
 * remembered for the host, so the next handle logs in the right way at once.
 */
import { IpmiPrivilegeRefusedError, IpmiUserNameRefusedError } from '../errors.ts';
import { Privilege } from '../commands/command.ts';
import { quirkOn } from '../quirks.ts';
import type { HostQuirkView, IpmiSession } from './session.ts';

/** How to log in this time. */
export interface LoginPlan {
  privilege: number;
  paddedUserName: boolean;
}

export interface LoginContext {
  hq: HostQuirkView;
  /** The privilege the caller asked for; undefined means Administrator, or Operator when refused. */
  privilege?: number;
  /** The user name is shorter than the 16-byte field (only then can padding change anything). */
  paddableUserName: boolean;
  /** A new, not yet opened session for this plan. */
  newSession(plan: LoginPlan): Promise<IpmiSession>;
  /** Told of every session tried, so the caller can see whether the BMC answered its handshake. */
  onSession?(s: IpmiSession): void;
}

/** The first plan: what the caller asked, else what the host is known to need. */
export function firstPlan(ctx: LoginContext): LoginPlan {
  const known = ctx.hq.learned;
  return {
    privilege: ctx.privilege ?? known.privilege ?? Privilege.administrator,
    paddedUserName: !!known.paddedUserName && ctx.paddableUserName,
  };
}

/** The plan to try after this refusal, if the quirk table has one. */
function fallback(e: unknown, plan: LoginPlan, ctx: LoginContext): LoginPlan | undefined {
  const q = ctx.hq.quirks;
  if (e instanceof IpmiPrivilegeRefusedError && ctx.privilege === undefined && plan.privilege > Privilege.operator && quirkOn(q, 'privilege-fallback')) {
    return { ...plan, privilege: Privilege.operator };
  }
  if (e instanceof IpmiUserNameRefusedError && !plan.paddedUserName && ctx.paddableUserName && quirkOn(q, 'padded-user-name')) {
    return { ...plan, paddedUserName: true };
  }
  return undefined;
}

/** Log in, falling back as the table allows (each fallback at most once), and remember what worked. */
export async function login(ctx: LoginContext): Promise<IpmiSession> {
  let plan = firstPlan(ctx);
  for (;;) {
    const s = await ctx.newSession(plan);
    ctx.onSession?.(s);
    try {
      await s.open();
    } catch (e) {
      const next = fallback(e, plan, ctx);
      if (!next) throw e;
      plan = next;
      continue;
    }
    const known = ctx.hq.learned;
    if (ctx.privilege === undefined && plan.privilege !== Privilege.administrator && known.privilege !== plan.privilege) ctx.hq.learn({ privilege: plan.privilege });
    if (plan.paddedUserName && !known.paddedUserName) ctx.hq.learn({ paddedUserName: true });
    return s;
  }
}
