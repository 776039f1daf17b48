/** The user and channel access commands a simulated BMC answers: channel 1's access, and its users' names, passwords and limits. */
import { Privilege } from '../../../ipmi/index.ts';
import { getChannelAccess, getUserAccess, getUserName, setChannelAccess, setUserAccess, setUserName, setUserPassword, UserPasswordOperation } from '../../../ipmi/index.ts';
import type { SimUser } from '../bmc-state.ts';
import { Completion, serve, type HandlerContext, type HandlerEntry } from './handler.ts';

const ACCESS_MODES = ['disabled', 'pre-boot', 'always', 'shared'] as const;

function userById(ctx: HandlerContext, id: number): SimUser {
  const u = ctx.state.users.find((x) => x.id === id);
  if (!u) throw new Completion(0xcc);
  return u;
}

const channelAccess = serve(getChannelAccess, Privilege.user, (req, ctx) => {
  if (req.channel !== 1 && req.channel !== 0x0e) throw new Completion(0xcc);
  const c = ctx.state.channelAccess;
  return { accessMode: ACCESS_MODES[c.mode], alertingEnabled: c.alerting, perMessageAuthEnabled: c.perMessageAuth, userLevelAuthEnabled: c.userLevelAuth, privilegeLimit: c.privilegeLimit };
});

const setChannel = serve(setChannelAccess, Privilege.administrator, (req, ctx) => {
  if (req.channel !== 1 && req.channel !== 0x0e) throw new Completion(0xcc);
  const c = ctx.state.channelAccess;
  c.mode = Math.max(0, (ACCESS_MODES as readonly string[]).indexOf(req.access.accessMode));
  c.alerting = req.access.alertingEnabled;
  c.perMessageAuth = req.access.perMessageAuthEnabled;
  c.userLevelAuth = req.access.userLevelAuthEnabled;
  if (req.access.privilegeLimit >= 1 && req.access.privilegeLimit <= 5) c.privilegeLimit = req.access.privilegeLimit;
});

const userAccess = serve(getUserAccess, Privilege.operator, (req, ctx) => {
  const u = userById(ctx, req.userId);
  const users = ctx.state.users;
  return {
    maxUsers: users.length,
    enabledUsers: users.filter((x) => x.enabled).length,
    enableStatus: u.enabled ? 'enabled' : 'disabled',
    fixedNameUsers: 1,
    callbackOnly: false,
    linkAuthEnabled: u.linkAuth,
    ipmiMessagingEnabled: u.ipmiMessaging,
    privilegeLimit: u.privilege,
  };
});

const setAccess = serve(setUserAccess, Privilege.administrator, (req, ctx) => {
  const u = userById(ctx, req.userId);
  u.ipmiMessaging = req.ipmiMessaging;
  u.linkAuth = req.linkAuth;
  u.privilege = req.privilegeLimit;
});

const userName = serve(getUserName, Privilege.operator, (req, ctx) => ({ name: userById(ctx, req.userId).name }));

const setName = serve(setUserName, Privilege.administrator, (req, ctx) => {
  if (req.userId === 1) throw new Completion(0xcc); // the anonymous user's name is fixed
  const u = userById(ctx, req.userId);
  if (req.name && ctx.state.users.some((x) => x !== u && x.name === req.name)) throw new Completion(0xcc);
  u.name = req.name;
});

const setPassword = serve(setUserPassword, Privilege.administrator, (req, ctx) => {
  const u = userById(ctx, req.userId);
  const given = req.password ? Buffer.from(req.password.subarray(0, req.password.indexOf(0) < 0 ? req.password.length : req.password.indexOf(0))) : Buffer.alloc(0);
  switch (req.operation) {
    case UserPasswordOperation.disable:
      u.enabled = false;
      return;
    case UserPasswordOperation.enable:
      u.enabled = true;
      return;
    case UserPasswordOperation.set:
      u.password = given;
      return;
    case UserPasswordOperation.test:
      if (!u.password.equals(given)) throw new Completion(0x80);
      return;
  }
});

export const USER_HANDLERS: readonly HandlerEntry[] = [channelAccess, setChannel, userAccess, setAccess, userName, setName, setPassword];
