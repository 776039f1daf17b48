// FileSecrets: one 0600 file per secret in a 0700 directory; refs are plain names; errors never carry values.
import { chmod, mkdir, mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  FileSecrets,
  InvalidSecretRefError,
  SecretNotFoundError,
  SecretPermissionsError,
  SecretsError,
} from '../../lib/store/index.ts';

const VALUE = 'hunter2-Secret-Value-\u00e9\n';

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    if (err instanceof Error) return err;
  }
  throw new Error('expected a rejection');
}

describe('FileSecrets', () => {
  let base: string;
  let dir: string;
  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'lowpower-fs-'));
    dir = join(base, 'secrets');
  });
  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('stores and reads back exactly, each secret in its own 0600 file in a 0700 directory', async () => {
    const s = new FileSecrets(dir);
    await s.put('bmc.pool1.host1', VALUE);
    await s.put('xapi.pool1', 'other');
    expect(await s.get('bmc.pool1.host1')).toBe(VALUE);
    expect(await s.get('xapi.pool1')).toBe('other');
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, 'bmc.pool1.host1'))).mode & 0o777).toBe(0o600);
    expect((await readdir(dir)).sort()).toEqual(['bmc.pool1.host1', 'xapi.pool1']);
    await s.put('xapi.pool1', 'rotated');
    expect(await s.get('xapi.pool1')).toBe('rotated');
    expect((await stat(join(dir, 'xapi.pool1'))).mode & 0o777).toBe(0o600);
  });

  it('tightens an existing directory to 0700', async () => {
    await mkdir(dir, { mode: 0o755 });
    await chmod(dir, 0o755);
    await new FileSecrets(dir).put('a', 'b');
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
  });

  it('refuses refs with path separators, .., a leading dot or odd characters, without echoing them', async () => {
    const s = new FileSecrets(dir);
    for (const ref of ['../x', 'a/b', 'a\\b', '..', 'a..b', '.hidden', '', 'a b', 'x\0y', '/etc/passwd', VALUE]) {
      const put = await rejection(s.put(ref, VALUE));
      expect(put).toBeInstanceOf(InvalidSecretRefError);
      expect(put.message).not.toContain(VALUE.trim());
      expect(await rejection(s.get(ref))).toBeInstanceOf(InvalidSecretRefError);
    }
    await expect(stat(join(base, 'x'))).rejects.toThrow();
  });

  it('holds the reference of a host with the longest ids the API accepts (bmc.<100>.<100>); refuses one over 255', async () => {
    const s = new FileSecrets(dir);
    const ref = `bmc.${'p'.repeat(100)}.${'h'.repeat(100)}`;
    await s.put(ref, VALUE);
    expect(await s.get(ref)).toBe(VALUE);
    expect(await rejection(s.put('r'.repeat(256), VALUE))).toBeInstanceOf(InvalidSecretRefError);
  });

  it('a missing secret is SecretNotFoundError; errors never include the value', async () => {
    const s = new FileSecrets(dir);
    const err = await rejection(s.get('nope'));
    expect(err).toBeInstanceOf(SecretNotFoundError);
    expect(err.message).toContain('nope');
    // Writing into a directory we cannot create: the error names the directory, not the value.
    const blocked = new FileSecrets(join(base, 'file-not-dir', 'sub'));
    await writeFile(join(base, 'file-not-dir'), '');
    const w = await rejection(blocked.put('ref', VALUE));
    expect(w).toBeInstanceOf(SecretsError);
    expect(w.message).not.toContain(VALUE.trim());
    expect(String(w.stack)).not.toContain(VALUE.trim());
  });

  it('refuses to read a secret file others can read, and a symlink', async () => {
    const s = new FileSecrets(dir);
    await s.put('loose', VALUE);
    await chmod(join(dir, 'loose'), 0o644);
    const err = await rejection(s.get('loose'));
    expect(err).toBeInstanceOf(SecretPermissionsError);
    expect(err.message).not.toContain(VALUE.trim());
    await symlink(join(dir, 'loose'), join(dir, 'link'));
    expect(await rejection(s.get('link'))).toBeInstanceOf(SecretsError);
  });
});
