/**
 * Canned answers in the shapes lib/api/router.ts and pool-routes.ts give (the router itself is
 * tested on its own; router-integration.test.ts runs the Slack side against the real one).
 */
import type { ApiRequest, ApiResponse } from '../../lib/api/router.ts';

const host = (id: string, power: string, extra: Record<string, unknown> = {}) => ({ id, pool: 'pool-1', bmc: '127.0.0.1:623', power, powerObservedAt: null, powerSource: 'ipmi', xenState: 'enabled', isMaster: false, operation: null, ...extra });

export const HOSTS = [host('h1', 'on', { isMaster: true }), host('h2', 'on'), host('h3', 'off', { xenState: 'halted' })];

export function fakeApi(req: ApiRequest): ApiResponse {
  const { method, path } = req;
  const body = (req.body ?? {}) as Record<string, unknown>;
  if (method === 'GET' && path === '/v1/pools') return { status: 200, body: { pools: [{ id: 'pool-1', name: 'pool-1', hosts: 3, asleep: 1, on: 2 }, { id: 'pool-2', name: 'pool-2', hosts: 0, asleep: 0, on: 0 }] } };
  if (method === 'GET' && path === '/v1/hosts') return { status: 200, body: { hosts: req.query.pool === 'pool-1' ? HOSTS : [] } };
  const hostMatch = /^\/v1\/hosts\/([^/]+)$/.exec(path);
  if (method === 'GET' && hostMatch) {
    const h = HOSTS.find((x) => x.id === decodeURIComponent(hostMatch[1]));
    if (!h) return { status: 404, body: { error: { code: 'unknown_host', message: `no host ${hostMatch[1]}` } } };
    const readings = h.power === 'on' ? [{ hostId: h.id, at: '2025-01-15T11:59:00.000Z', power: 'on', powerWatts: 215, temperatures: [{ name: 'CPU', celsius: 61 }, { name: 'Inlet', celsius: 24 }] }] : [];
    return { status: 200, body: { host: h, readings } };
  }
  if (method === 'POST' && /^\/v1\/hosts\/[^/]+\/power$/.test(path)) {
    if (req.role === 'viewer') return { status: 403, body: { error: { code: 'forbidden', message: `POST ${path} needs the operator role; you have viewer` } } };
    return { status: 202, body: { operation: { id: 'op-0001', state: 'pending' } } };
  }
  if (method === 'POST' && path === '/v1/pools/pool-1/sleep') {
    const plan = { sleep: ['h2'], migrations: [{ vmId: 'vm1', from: 'h2', to: 'h1', memoryBytes: 1, wave: 1 }], keep: [{ hostId: 'h1', reason: 'pool master' }], hostsOn: 1, lowerBound: 1, migratedBytes: 1 };
    if (body.dryRun === true) return { status: 200, body: { dryRun: true, plan } };
    return { status: 202, body: { operation: { id: 'op-0002', state: 'pending' }, plan } };
  }
  if (method === 'POST' && path === '/v1/pools/pool-1/wake') {
    const plan = { wake: ['h3'], why: ['h3: coolest, least woken'] };
    if (body.dryRun === true) return { status: 200, body: { dryRun: true, plan } };
    return { status: 202, body: { operation: { id: 'op-0003', state: 'pending' }, plan } };
  }
  if (method === 'GET' && path === '/v1/pools/pool-1/plan') {
    return { status: 200, body: { plan: { sleep: ['h2'], migrations: [], keep: [{ hostId: 'h1', reason: 'pool master' }], hostsOn: 1 } } };
  }
  return { status: 404, body: { error: { code: 'not_found', message: `no route ${method} ${path}` } } };
}
