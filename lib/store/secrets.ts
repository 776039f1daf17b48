/**
 * The `Secrets` port (BMC and XAPI passwords, by reference) and its local adapter: one file per
 * secret, mode 0600, in a directory of mode 0700. Errors name the ref at most, never the value.
 */
import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';

export interface Secrets {
  get(ref: string): Promise<string>;
  put(ref: string, value: string): Promise<void>;
}

export class SecretsError extends Error {
  override readonly name: string = 'SecretsError';
  constructor(message: string) {
    super(message);
  }
}

/** The ref is not a plain name (path separators, `..`, a leading dot, odd characters). */
export class InvalidSecretRefError extends SecretsError {
  override readonly name: string = 'InvalidSecretRefError';
  constructor(reason: string) {
    // The ref is left out: a caller that mixed up ref and value would otherwise leak the value.
    super(`invalid secret ref: ${reason}`);
  }
}

export class SecretNotFoundError extends SecretsError {
  override readonly name: string = 'SecretNotFoundError';
  constructor(readonly ref: string) {
    super(`secret ${ref} not found`);
  }
}

/** The secret's file or directory is readable by others: refused until fixed. */
export class SecretPermissionsError extends SecretsError {
  override readonly name: string = 'SecretPermissionsError';
  constructor(readonly ref: string, readonly mode: number) {
    super(`secret ${ref}: file mode ${(mode & 0o777).toString(8)} is too open (expected 600 in a 700 directory)`);
  }
}

/** Up to 255: a file name's limit, and room for `bmc.<pool>.<host>` with two ids of 100. */
const REF = /^[A-Za-z0-9][A-Za-z0-9._:@+=-]{0,254}$/;

export function checkSecretRef(ref: string): string {
  if (typeof ref !== 'string' || ref.length === 0) throw new InvalidSecretRefError('empty');
  if (ref.includes('/') || ref.includes('\\')) throw new InvalidSecretRefError('contains a path separator');
  if (ref.includes('..')) throw new InvalidSecretRefError('contains ..');
  if (!REF.test(ref)) throw new InvalidSecretRefError('use letters, digits and ._:@+=- only, up to 255, not starting with a dot');
  return ref;
}

function code(err: unknown): string {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : 'unknown error';
}

/** Local secrets: `<dir>/<ref>`, each 0600, `dir` 0700 (created or tightened on first put). */
export class FileSecrets implements Secrets {
  constructor(readonly dir: string) {}

  async put(ref: string, value: string): Promise<void> {
    checkSecretRef(ref);
    if (typeof value !== 'string') throw new SecretsError(`secret ${ref}: value must be a string`);
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      await chmod(this.dir, 0o700);
    } catch (err) {
      throw new SecretsError(`secret store directory ${this.dir}: ${code(err)}`);
    }
    const tmp = join(this.dir, `.${ref}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const fh = await open(tmp, 'wx', 0o600);
      try {
        await fh.chmod(0o600);
        await fh.writeFile(value, 'utf8');
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, join(this.dir, ref));
    } catch (err) {
      await unlink(tmp).catch(() => {});
      throw new SecretsError(`secret ${ref}: could not be written (${code(err)})`);
    }
  }

  async get(ref: string): Promise<string> {
    checkSecretRef(ref);
    const path = join(this.dir, ref);
    let mode: number;
    try {
      const st = await lstat(path);
      if (!st.isFile()) throw new SecretsError(`secret ${ref}: not a regular file`);
      mode = st.mode;
    } catch (err) {
      if (err instanceof SecretsError) throw err;
      if (code(err) === 'ENOENT') throw new SecretNotFoundError(ref);
      throw new SecretsError(`secret ${ref}: could not be read (${code(err)})`);
    }
    if ((mode & 0o077) !== 0) throw new SecretPermissionsError(ref, mode);
    try {
      return await readFile(path, 'utf8');
    } catch (err) {
      throw new SecretsError(`secret ${ref}: could not be read (${code(err)})`);
    }
  }
}
