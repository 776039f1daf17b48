/**
 * The `Secrets` port on AWS Secrets Manager: one secret per ref, named `<prefix><ref>`, read with
 * GetSecretValue and cached briefly (a Lambda that sweeps a pool reads each BMC password once, not
 * once per host call). Errors carry the ref and the service's error name, never a value.
 */
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { checkSecretRef, SecretNotFoundError, SecretsError, type Secrets } from './secrets.ts';

export interface SecretsManagerOptions {
  client: SecretsManagerClient;
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

  constructor(private readonly o: SecretsManagerOptions) {
    this.prefix = o.prefix ?? 'lowpower/';
  }

  private id(ref: string): string {
    return `${this.prefix}${checkSecretRef(ref)}`;
  }

  async get(ref: string): Promise<string> {
    const id = this.id(ref);
    const now = (this.o.now ?? Date.now)();
    const hit = this.cache.get(id);
    if (hit && hit.until > now) return hit.value;
    let value: string | undefined;
    try {
      const out = await this.o.client.send(new GetSecretValueCommand({ SecretId: id }));
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
    try {
      await this.o.client.send(new PutSecretValueCommand({ SecretId: id, SecretString: value }));
      return;
    } catch (err) {
      if (errorName(err) !== 'ResourceNotFoundException') throw new SecretsError(`secret ${ref}: could not be written (${errorName(err)})`);
    }
    try {
      await this.o.client.send(new CreateSecretCommand({ Name: id, SecretString: value, Description: 'lowpower: BMC or XAPI password' }));
    } catch (err) {
      throw new SecretsError(`secret ${ref}: could not be created (${errorName(err)})`);
    }
  }
}
