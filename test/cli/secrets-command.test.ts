/**
 * `lowpower secrets put` against Secrets Manager's documented wire contract (aws-sdk-client-mock:
 * the service cannot run here): PutSecretValue on `lowpower/<stage>/<ref>`, CreateSecret when it
 * answers ResourceNotFoundException. The value never comes from argv and never appears in output.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runSecretsCommand, type SecretsCommandDeps } from '../../lib/cli/secrets-command.ts';

const VALUE = 'Xapi-Pa55-not-for-output';
const sm = mockClient(SecretsManagerClient);
const dir = mkdtempSync(join(tmpdir(), 'lowpower-secrets-cmd-'));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text, { mode: 0o600 });
  return p;
};
const notFound = (): ResourceNotFoundException => new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: {} });

async function run(argv: string[], deps: SecretsCommandDeps = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runSecretsCommand(argv, { out: (l) => void (out += l), err: (l) => void (err += l), ...deps });
  // Whatever happened, the value is in neither stream.
  expect(out + err).not.toContain(VALUE);
  return { code, out, err };
}

describe('lowpower secrets put', () => {
  beforeEach(() => sm.reset());
  afterEach(() => sm.reset());

  it('puts a new version of lowpower/<stage>/<ref> from a file (the trailing newline dropped), in the region asked for', async () => {
    sm.on(PutSecretValueCommand).resolves({ VersionId: 'v2' });
    const r = await run(['put', 'xapi.pool-1', '--file', file('pw', `${VALUE}\n`), '--stage', 'prod', '--region', 'eu-west-1']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe('stored secret lowpower/prod/xapi.pool-1\n');
    expect(r.err).toBe('');
    const calls = sm.commandCalls(PutSecretValueCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input).toEqual({ SecretId: 'lowpower/prod/xapi.pool-1', SecretString: VALUE });
    expect(await (calls[0].thisValue as SecretsManagerClient).config.region()).toBe('eu-west-1');
    expect(sm.commandCalls(CreateSecretCommand)).toHaveLength(0);
  });

  it('creates the secret when Secrets Manager has none by that name', async () => {
    sm.on(PutSecretValueCommand).rejects(notFound());
    sm.on(CreateSecretCommand).resolves({ Name: 'lowpower/prod/bmc.pool-1.host-7' });
    const r = await run(['put', 'bmc.pool-1.host-7', '--stdin', '--stage', 'prod'], { stdin: async () => `${VALUE}\r\n` });
    expect(r.code, r.err).toBe(0);
    expect(sm.commandCalls(CreateSecretCommand)[0].args[0].input).toMatchObject({ Name: 'lowpower/prod/bmc.pool-1.host-7', SecretString: VALUE });
  });

  it('--prefix replaces lowpower/<stage>/ (a stack deployed under another service name)', async () => {
    sm.on(PutSecretValueCommand).resolves({});
    const r = await run(['put', 'slack-signing-secret', '--file', file('s', VALUE), '--prefix', 'lp-ops/prod/']);
    expect(r.code, r.err).toBe(0);
    expect(sm.commandCalls(PutSecretValueCommand)[0].args[0].input.SecretId).toBe('lp-ops/prod/slack-signing-secret');
  });

  it('a ref lowpower never reads is stored, with a note naming the refs it does read', async () => {
    sm.on(PutSecretValueCommand).resolves({});
    const r = await run(['put', 'xapi-pool-1', '--file', file('n', VALUE), '--stage', 'prod']);
    expect(r.code).toBe(0);
    expect(r.err).toContain('lowpower reads xapi.POOL, bmc.POOL.HOST');
  });

  it.each([
    [['put', 'xapi.p', VALUE, '--stage', 'prod'], 'never the command line'],
    [['put', 'xapi.p', '--stage', 'prod'], 'give the value one way'],
    [['put', 'xapi.p', '--stdin', '--file', 'x', '--stage', 'prod'], 'give the value one way'],
    [['put', 'xapi.p', '--file', 'MULTI', '--stage', 'prod'], 'more than one line'],
    [['put', 'xapi.p', '--file', 'EMPTY', '--stage', 'prod'], 'is empty'],
    [['put', 'xapi.p', '--file', join(dir, 'missing'), '--stage', 'prod'], 'cannot read'],
    [['put', 'xapi.p', '--file', 'PW'], 'give --stage STAGE'],
    [['put', 'xapi.p', '--file', 'PW', '--stage', 'prod/x'], '--stage: letters, digits and - only'],
    [['put', '../other/secret', '--file', 'PW', '--stage', 'prod'], 'invalid secret ref'],
    [['put', '--file', 'PW', '--stage', 'prod'], 'name the REF'],
    [['get', 'xapi.p', '--stage', 'prod'], 'only put'],
    [['put', 'xapi.p', '--file', 'PW', '--stage', 'prod', '--password', VALUE], 'unknown option --password'],
  ])('refused before any AWS call: %j', async (argv, why) => {
    const files: Record<string, string> = { MULTI: file('multi', `${VALUE}\nsecond\n`), EMPTY: file('empty', '\n'), PW: file('pw2', VALUE) };
    const r = await run(argv.map((a) => files[a] ?? a));
    expect(r.code).toBe(2);
    expect(r.err).toContain(why);
    expect(sm.calls()).toHaveLength(0);
  });

  it('an AWS refusal: exit 1 naming the secret and the error, and what to check', async () => {
    // Secrets Manager has no modelled AccessDeniedException: the SDK raises the service's generic one by that name.
    sm.on(PutSecretValueCommand).rejects(new SecretsManagerServiceException({ name: 'AccessDeniedException', $fault: 'client', message: `not allowed (${VALUE})`, $metadata: {} }));
    const r = await run(['put', 'xapi.pool-1', '--file', file('pw3', VALUE), '--stage', 'prod', '--region', 'eu-central-1']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('secret xapi.pool-1: could not be written (AccessDeniedException)');
    expect(r.err).toContain('secretsmanager:PutSecretValue and CreateSecret');
  });
});
