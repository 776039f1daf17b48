/**
 * The `Secrets` port on AWS Secrets Manager: one secret per ref, named `<prefix><ref>`, read with
 * GetSecretValue and cached briefly (a Lambda that sweeps a pool reads each BMC password once, not
 * once per host call). Errors carry the ref and the service's error name, never a value. The SDK
 * (client and commands, secrets-sdk.ts) is given, or loaded on the first read or write: the AWS
 * wiring loads it then, so a cold start that reads no secret does not compile it.
 */
import { givenOrOnce } from '../util/index.ts';
import type { SecretsSdk } from './secrets-sdk.ts';
import { checkSecretRef, SecretNotFoundError, SecretsError, type Secrets } from './secrets.ts';

export interface SecretsManagerOptions {
  /** The SDK (`secretsSdk(client)`), or how to load it on its first use. */
  sdk: SecretsSdk | (() => Promise<SecretsSdk>);
  /** Prepended to every ref, e.g. `lowpower/prod/` (default `lowpower/`). */
  prefix?: string;
  /** How long a value read is reused (default 5 min; 0 turns the cache off). */
  cacheMs?: number;
  now?: () => number;
}

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : 'unknown error';
}

export class SecretsManagerSecrets implements Secrets {
  private readonly cache = new Map<string, { value: string; until: number }>();
  private readonly prefix: string;
  private readonly sdk: () => Promise<SecretsSdk>;

  constructor(private readonly o: SecretsManagerOptions) {
    this.prefix = o.prefix ?? 'lowpower/';
    this.sdk = givenOrOnce(o.sdk);
  }

  private id(ref: string): string {
    return `${this.prefix}${checkSecretRef(ref)}`;
  }

  async get(ref: string): Promise<string> {
    const id = this.id(ref);
    const now = (this.o.now ?? Date.now)();
    const hit = this.cache.get(id);
    if (hit && hit.until > now) return hit.value;
    const { commands, client } = await this.sdk();
    let value: string | undefined;
    try {
      const out = await client.send(new commands.GetSecretValueCommand({ SecretId: id }));
      value = out.SecretString;
    } catch (err) {
      if (errorName(err) === 'ResourceNotFoundException') throw new SecretNotFoundError(ref);
      throw new SecretsError(`secret ${ref}: could not be read (${errorName(err)})`);
    }
    if (typeof value !== 'string') throw new SecretsError(`secret ${ref}: has no string value (binary secrets are not used here)`);
    const cacheMs = this.o.cacheMs ?? 300_000;
    if (cacheMs > 0) this.cache.set(id, { value, until: now + cacheMs });
    return value;
  }

  /** Writes a new version; creates the secret when it does not exist yet. */
  async put(ref: string, value: string): Promise<void> {
    const id = this.id(ref);
    if (typeof value !== 'string') throw new SecretsError(`secret ${ref}: value must be a string`);
    this.cache.delete(id);
    const { commands, client } = await this.sdk();
    try {
      await client.send(new commands.PutSecretValueCommand({ SecretId: id, SecretString: value }));
      return;
    } catch (err) {
      if (errorName(err) !== 'ResourceNotFoundException') throw new SecretsError(`secret ${ref}: could not be written (${errorName(err)})`);
    }
    try {
      await client.send(new commands.CreateSecretCommand({ Name: id, SecretString: value, Description: 'lowpower: BMC or XAPI password' }));
    } catch (err) {
      throw new SecretsError(`secret ${ref}: could not be created (${errorName(err)})`);
    }
  }
}
