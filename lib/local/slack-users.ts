/**
 * Slack users and their lowpower roles for the local runner: `<state dir>/slack-users.json`,
 * `{ "<slack user id>": "viewer" | "operator" | "admin" }`. Made on first start with one admin,
 * `ULOCALADMIN`, for trying signed commands with scripts/slack-sign.mjs. Unknown users are viewers.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { isRole, type Role } from '../api/index.ts';


export async function loadSlackUsers(path: string): Promise<Record<string, Role>> {
  try {
    const table = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    const out: Record<string, Role> = {};
    for (const [user, role] of Object.entries(table)) {
      if (!isRole(role)) throw new Error(`${path}: ${user} has no valid role`);
      out[user] = role;
    }
    return out;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    const made: Record<string, Role> = { ULOCALADMIN: 'admin' };
    await writeFile(path, `${JSON.stringify(made, null, 2)}\n`, { mode: 0o600 });
    return made;
  }
}
