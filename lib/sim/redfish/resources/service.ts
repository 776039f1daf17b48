/**
 * The service's own resources: /redfish, the service root, $metadata and the OData service
 * document (all public), SessionService with login (POST, public) and logout, AccountService with
 * the one account, and the Managers collection with the BMC itself (Manager.Reset "reboots" it:
 * every session is forgotten).
 */
import { createHash } from 'node:crypto';
import { errors } from '../errors.ts';
import { noContent, ok, type Reply, type RedfishRequest, type Route } from '../router.ts';
import type { RedfishSession } from '../sessions.ts';
import type { RedfishBmcState } from '../state.ts';
import { logServiceRoutes } from './logs.ts';
import { collection, dateTime, link, metadataXml, REDFISH_VERSION, resource, resourcePaths, ROOT, serviceDocument, type Json } from './odata.ts';

const SESSIONS = `${ROOT}/SessionService/Sessions`;

/** A version 4 UUID from a hash: the service's and the manager's own, steady for a BMC name. */
function uuidFrom(seed: string): string {
  const b = createHash('sha256').update(seed).digest().subarray(0, 16);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function serviceRoot(state: RedfishBmcState): Json {
  return resource('ServiceRoot', `${ROOT}/`, 'RootService', 'Root Service', {
    RedfishVersion: REDFISH_VERSION,
    UUID: uuidFrom(`lowpower-sim-redfish-service:${state.name}`),
    Product: 'lowpower simulated BMC',
    Vendor: 'lowpower',
    ProtocolFeaturesSupported: { ExpandQuery: { ExpandAll: false, Levels: false, Links: false, NoLinks: false }, FilterQuery: false, SelectQuery: false, OnlyMemberQuery: false, ExcerptQuery: false },
    Systems: link(`${ROOT}/Systems`),
    Chassis: link(`${ROOT}/Chassis`),
    Managers: link(`${ROOT}/Managers`),
    SessionService: link(`${ROOT}/SessionService`),
    AccountService: link(`${ROOT}/AccountService`),
    TaskService: link(`${ROOT}/TaskService`),
    Links: { Sessions: link(SESSIONS) },
  });
}

const sessionJson = (s: RedfishSession): Json => resource('Session', `${SESSIONS}/${s.id}`, s.id, 'User Session', { UserName: s.userName, CreatedTime: dateTime(s.createdAt) });

function login(state: RedfishBmcState, req: RedfishRequest): Reply {
  const body = req.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw errors.propertyMissing('UserName');
  const { UserName, Password } = body as Record<string, unknown>;
  if (UserName === undefined) throw errors.propertyMissing('UserName');
  if (Password === undefined) throw errors.propertyMissing('Password');
  if (!state.checkCredentials(UserName, Password)) throw errors.badCredentials(SESSIONS);
  const s = state.sessions.create(UserName as string);
  if (!s) throw errors.sessionLimit();
  return { status: 201, body: sessionJson(s), headers: { 'X-Auth-Token': s.token, Location: `${SESSIONS}/${s.id}` } };
}

function sessionOf(state: RedfishBmcState, req: RedfishRequest): RedfishSession {
  const s = state.sessions.get(req.params.session);
  if (!s) throw errors.notFound(req.path);
  return s;
}

function managerJson(state: RedfishBmcState): Json {
  const p = resourcePaths(state.o.ids);
  return resource('Manager', p.manager, state.o.ids.manager, 'lowpower simulated BMC', {
    ManagerType: 'BMC',
    FirmwareVersion: '1.42',
    Model: 'lowpower-sim-redfish',
    UUID: uuidFrom(`lowpower-sim-redfish-manager:${state.name}`),
    DateTime: dateTime(state.o.clock.now()),
    PowerState: 'On',
    Status: { State: 'Enabled', Health: 'OK' },
    LogServices: link(`${p.manager}/LogServices`),
    Links: { ManagerForServers: [link(p.system)], ManagerForChassis: [link(p.chassis)] },
    Actions: { '#Manager.Reset': { target: `${p.manager}/Actions/Manager.Reset`, 'ResetType@Redfish.AllowableValues': ['GracefulRestart', 'ForceRestart'] } },
  });
}

function resetManager(state: RedfishBmcState, req: RedfishRequest): Reply {
  const type = typeof req.body === 'object' && req.body !== null ? (req.body as Record<string, unknown>).ResetType : undefined;
  if (type === undefined) throw errors.actionParameterMissing('Manager.Reset', 'ResetType');
  if (type !== 'GracefulRestart' && type !== 'ForceRestart') throw errors.actionParameterValueNotInList(String(type), 'ResetType', 'Manager.Reset');
  // The BMC restarts at once (the host keeps running): it comes back without its sessions.
  state.sessions.clear();
  return noContent();
}

export function serviceRoutes(state: RedfishBmcState): Route[] {
  const p = resourcePaths(state.o.ids);
  const accounts = `${ROOT}/AccountService/Accounts`;
  return [
    { path: '/redfish', handlers: { GET: () => ok({ v1: `${ROOT}/` }) }, public: ['GET'] },
    { path: ROOT, handlers: { GET: (s) => ok(serviceRoot(s)) }, public: ['GET'] },
    { path: `${ROOT}/odata`, handlers: { GET: () => ok(serviceDocument()) }, public: ['GET'] },
    { path: `${ROOT}/$metadata`, handlers: { GET: () => ({ status: 200, text: { type: 'application/xml', content: metadataXml() } }) }, public: ['GET'] },
    {
      path: `${ROOT}/SessionService`,
      handlers: {
        GET: (s) =>
          ok(
            resource('SessionService', `${ROOT}/SessionService`, 'SessionService', 'Session Service', {
              ServiceEnabled: true,
              SessionTimeout: Math.round(s.sessions.limits.idleTimeoutMs / 1000),
              Sessions: link(SESSIONS),
              Status: { State: 'Enabled', Health: 'OK' },
            }),
          ),
      },
    },
    { path: SESSIONS, handlers: { GET: (s) => ok(collection('SessionCollection', SESSIONS, 'Session Collection', s.sessions.list().map((x) => `${SESSIONS}/${x.id}`))), POST: login }, public: ['POST'] },
    {
      path: `${SESSIONS}/:session`,
      handlers: {
        GET: (s, req) => ok(sessionJson(sessionOf(s, req))),
        DELETE: (s, req) => {
          s.sessions.delete(sessionOf(s, req).id);
          return noContent();
        },
      },
    },
    {
      path: `${ROOT}/AccountService`,
      handlers: { GET: () => ok(resource('AccountService', `${ROOT}/AccountService`, 'AccountService', 'Account Service', { ServiceEnabled: true, MinPasswordLength: 8, Accounts: link(accounts) })) },
    },
    { path: accounts, handlers: { GET: () => ok(collection('ManagerAccountCollection', accounts, 'Accounts Collection', [`${accounts}/1`])) } },
    {
      path: `${accounts}/1`,
      handlers: { GET: (s) => ok(resource('ManagerAccount', `${accounts}/1`, '1', 'User Account', { UserName: s.o.user, RoleId: 'Administrator', Enabled: true, Locked: false, Password: null })) },
    },
    { path: `${ROOT}/Managers`, handlers: { GET: () => ok(collection('ManagerCollection', `${ROOT}/Managers`, 'Manager Collection', [p.manager])) } },
    { path: p.manager, handlers: { GET: (s) => ok(managerJson(s)) } },
    { path: `${p.manager}/Actions/Manager.Reset`, handlers: { POST: resetManager } },
    ...logServiceRoutes(p.manager),
  ];
}
