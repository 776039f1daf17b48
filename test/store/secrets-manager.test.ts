/**
 * The Secrets Manager adapter against the service's documented request shapes and errors
 * (aws-sdk-client-mock: Secrets Manager itself cannot run here).
 */
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  InternalServiceError,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidSecretRefError, SecretNotFoundError, SecretsError, SecretsManagerSecrets } from '../../lib/store/index.ts';
import { secretsSdk } from '../../lib/store/secrets-sdk.ts';

const VALUE = 'Bmc-Pa55word-not-for-logs';
const sm = mockClient(SecretsManagerClient);
const notFound = (): ResourceNotFoundException => new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: {} });

describe('SecretsManagerSecrets', () => {
  let now = 1_000_000;
  let secrets: SecretsManagerSecrets;
  beforeEach(() => {
    sm.reset();
    now = 1_000_000;
    secrets = new SecretsManagerSecrets({ sdk: secretsSdk(new SecretsManagerClient({ region: 'eu-central-1' })), prefix: 'lowpower/test/', cacheMs: 60_000, now: () => now });
  });
  afterEach(() => sm.reset());

  it('loads the SDK at the first read, once, and writes through the same client', async () => {
    let loads = 0;
    const lazy = new SecretsManagerSecrets({
      sdk: async () => {
        loads++;
        return secretsSdk(new SecretsManagerClient({ region: 'eu-central-1' }));
      },
      prefix: 'lowpower/test/',
      cacheMs: 0,
    });
    expect(loads).toBe(0);
    sm.on(GetSecretValueCommand, { SecretId: 'lowpower/test/bmc-admin' }).resolves({ SecretString: VALUE });
    sm.on(PutSecretValueCommand).rejects(notFound());
    sm.on(CreateSecretCommand).resolves({});
    expect(await Promise.all([lazy.get('bmc-admin'), lazy.get('bmc-admin')])).toEqual([VALUE, VALUE]);
    await lazy.put('xapi.pool-a', VALUE);
    expect(loads).toBe(1);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    expect(sm.commandCalls(CreateSecretCommand)[0].args[0].input).toMatchObject({ Name: 'lowpower/test/xapi.pool-a' });
  });

  it('reads <prefix><ref> with GetSecretValue and caches it for cacheMs', async () => {
    sm.on(GetSecretValueCommand, { SecretId: 'lowpower/test/bmc-admin' }).resolves({ SecretString: VALUE, Name: 'lowpower/test/bmc-admin' });
    expect(await secrets.get('bmc-admin')).toBe(VALUE);
    expect(await secrets.get('bmc-admin')).toBe(VALUE);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    now += 60_001;
    expect(await secrets.get('bmc-admin')).toBe(VALUE);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('a missing secret is SecretNotFoundError naming the ref; other failures name the error, never a value', async () => {
    sm.on(GetSecretValueCommand).rejects(notFound());
    const e1 = await secrets.get('nope').catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(SecretNotFoundError);
    expect((e1 as Error).message).toContain('nope');
    sm.reset();
    sm.on(GetSecretValueCommand).rejects(new InternalServiceError({ message: `boom ${VALUE}`, $metadata: {} }));
    const e2 = (await secrets.get('bmc-admin').catch((e: unknown) => e)) as Error;
    expect(e2).toBeInstanceOf(SecretsError);
    expect(e2.message).toBe('secret bmc-admin: could not be read (InternalServiceError)');
    expect(e2.message).not.toContain(VALUE);
  });

  it('a binary-only secret is refused', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1, 2, 3]) });
    await expect(secrets.get('bin')).rejects.toThrow(/no string value/);
  });

  it('put writes a new version, and creates the secret when it does not exist', async () => {
    sm.on(PutSecretValueCommand).resolvesOnce({ VersionId: 'v2' }).rejectsOnce(notFound());
    sm.on(CreateSecretCommand).resolves({ Name: 'lowpower/test/new' });
    await secrets.put('existing', VALUE);
    expect(sm.commandCalls(PutSecretValueCommand)[0].args[0].input).toEqual({ SecretId: 'lowpower/test/existing', SecretString: VALUE });
    expect(sm.commandCalls(CreateSecretCommand)).toHaveLength(0);
    await secrets.put('new', VALUE);
    expect(sm.commandCalls(CreateSecretCommand)[0].args[0].input).toMatchObject({ Name: 'lowpower/test/new', SecretString: VALUE });
  });

  it('put drops the cached value so the next get reads the new one', async () => {
    sm.on(GetSecretValueCommand).resolvesOnce({ SecretString: 'old' }).resolves({ SecretString: 'new' });
    sm.on(PutSecretValueCommand).resolves({});
    expect(await secrets.get('r')).toBe('old');
    await secrets.put('r', 'new');
    expect(await secrets.get('r')).toBe('new');
  });

  it('refs with path tricks are refused before any call', async () => {
    await expect(secrets.get('../other-app/secret')).rejects.toBeInstanceOf(InvalidSecretRefError);
    expect(sm.calls()).toHaveLength(0);
  });
});
