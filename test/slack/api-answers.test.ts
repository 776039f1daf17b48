/**
 * The Slack side reads the API's answers through schemas picked from the API's own: what it
 * reads is typed and checked, extra fields are ignored, and an answer without what a command
 * reads becomes a clear refusal (logged), not a message of guesses.
 */
import { describe, expect, it } from 'vitest';
import { call, type IntentContext } from '../../lib/slack/api-call.ts';
import { HostRead, StartRead } from '../../lib/slack/api-answers.ts';
import type { ApiRequest, ApiResponse } from '../../lib/api/router.ts';
import { lineLog } from '../../lib/util/log.ts';

const contextOf = (answer: (req: ApiRequest) => ApiResponse, log: string[] = []): IntentContext => ({
  api: async (req) => answer(req),
  user: { id: 'U1', name: 'alice' },
  role: 'operator',
  text: 'status h1',
  nowMs: 0,
  log: lineLog((l) => void log.push(l)),
});

const host = { id: 'h1', pool: 'pool-1', bmc: '127.0.0.1:623', power: 'on', powerObservedAt: null, powerSource: 'ipmi', xenState: 'enabled', isMaster: true, operation: null };

describe('Slack reading API answers', () => {
  it('reads the fields it uses, typed; others may be there or not', async () => {
    const got = await call(contextOf(() => ({ status: 200, body: { host: { ...host, binding: { state: 'bound' } }, readings: [{ hostId: 'h1', at: '2026-01-01T00:00:00.000Z', powerWatts: 200 }] } })), HostRead, 'GET', '/v1/hosts/h1');
    expect(got).toEqual({ ok: true, status: 200, body: { host: { id: 'h1', pool: 'pool-1', power: 'on', xenState: 'enabled', isMaster: true, operation: null }, readings: [{ at: '2026-01-01T00:00:00.000Z', powerWatts: 200 }] } });
  });

  it('an answer without what the command reads is refused with a clear message, and logged', async () => {
    const log: string[] = [];
    const got = await call(contextOf(() => ({ status: 200, body: { host: { ...host, power: 'maybe' }, readings: [] } }), log), HostRead, 'GET', '/v1/hosts/h1');
    expect(got).toEqual({ ok: false, status: 502, code: 'bad_answer', message: 'lowpower answered in a shape this command cannot read (see its log)' });
    expect(log).toEqual(['slack-api-answer-unreadable method=GET path=/v1/hosts/h1 status=200 field=host.power issue=invalid_value']);
    expect(await call(contextOf(() => ({ status: 202, body: { plan: {} } })), StartRead, 'POST', '/v1/pools/p/sleep')).toMatchObject({ ok: false, code: 'bad_answer' });
  });

  it('errors keep the API code and message; nothing to start is a null operation', async () => {
    expect(await call(contextOf(() => ({ status: 409, body: { error: { code: 'busy', message: 'host h1 is busy' } } })), StartRead, 'POST', '/v1/hosts/h1/power')).toEqual({ ok: false, status: 409, code: 'busy', message: 'host h1 is busy' });
    expect(await call(contextOf(() => ({ status: 200, body: { plan: { sleep: [] }, operation: null } })), StartRead, 'POST', '/v1/pools/p/sleep')).toEqual({ ok: true, status: 200, body: { operation: null } });
  });
});
