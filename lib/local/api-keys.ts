/**
 * API keys for the local runner: `<state dir>/api-keys.json` (mode 0600) maps each key to a role
 * and a name. The runner makes one key per role on first start; a request carries its key as
 * `Authorization: Bearer <key>`. Keys are compared in constant time and never logged.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { isRole, ROLES, type Role } from '../api/index.ts';

export interface ApiKeyEntry {
  role: Role;
  name: string;
}

export interface ApiKeys {
  /** One key per role, as made on first start. */
  byRole: Record<Role, string>;
  /** The entry for a presented key, or undefined. */
  check(key: string): ApiKeyEntry | undefined;
}


export async function loadOrCreateApiKeys(path: string): Promise<ApiKeys> {
  let table: Record<string, ApiKeyEntry> = {};
  try {
    table = JSON.parse(await readFile(path, 'utf8')) as Record<string, ApiKeyEntry>;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${path}: not a valid API key file`);
  }
  const byRole = {} as Record<Role, string>;
  for (const role of ROLES) {
    const found = Object.entries(table).find(([, v]) => v.role === role);
    if (found) byRole[role] = found[0];
    else {
      const key = `lp_${role}_${randomBytes(18).toString('base64url')}`;
      table[key] = { role, name: `local ${role}` };
      byRole[role] = key;
    }
  }
  for (const [k, v] of Object.entries(table)) {
    if (!isRole(v.role) || typeof v.name !== 'string') throw new Error(`${path}: key ${k.slice(0, 6)}… has no valid role and name`);
  }
  await writeFile(path, `${JSON.stringify(table, null, 2)}\n`, { mode: 0o600 });
  await chmod(path, 0o600);
  const keys = Object.keys(table).map((k) => [Buffer.from(k), table[k]] as const);
  return {
    byRole,
    check(key) {
      const presented = Buffer.from(key);
      let hit: ApiKeyEntry | undefined;
      for (const [k, entry] of keys) if (k.length === presented.length && timingSafeEqual(k, presented)) hit = entry;
      return hit;
    },
  };
}
