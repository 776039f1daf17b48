/**
 * The inventory file: strict validation with errors that name the file, the entry and the field,
 * password files resolved beside the inventory, and passwords that never show.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { InventoryError, readInventory, writeInventory, type InventoryEntry } from '../../lib/fleet/inventory.ts';

const SECRET = 'hunter2-do-not-print';
let dir: string;
let n = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lowpower-inventory-'));
  mkdirSync(join(dir, 'secrets'));
  writeFileSync(join(dir, 'secrets', 'pw'), `${SECRET}\nsecond line is ignored\n`, { mode: 0o600 });
  writeFileSync(join(dir, 'secrets', 'empty'), '\n', { mode: 0o600 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const good = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  name: 'node-01',
  host: '127.0.0.1',
  port: 9623,
  user: 'admin',
  passwordFile: 'secrets/pw',
  ...over,
});

/** Write `content` (a value to serialise, or raw text) as a fresh inventory file; returns its path. */
function inventory(content: unknown): string {
  const path = join(dir, `inventory-${n++}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function errorOf(path: string): InventoryError {
  try {
    readInventory(path);
  } catch (e) {
    expect(e).toBeInstanceOf(InventoryError);
    expect((e as Error).message).not.toContain(SECRET);
    return e as InventoryError;
  }
  throw new Error('readInventory accepted an invalid inventory');
}

describe('readInventory: a valid file', () => {
  it('reads every entry, resolves passwordFile beside the inventory and reads its first line', () => {
    const path = inventory([good(), good({ name: 'node-02', port: 9624, cipherSuite: 3, rack: 'B7' })]);
    const hosts = readInventory(path);
    expect(hosts).toHaveLength(2);
    expect(hosts[0]).toEqual({ name: 'node-01', host: '127.0.0.1', port: 9623, user: 'admin', passwordFile: join(dir, 'secrets', 'pw'), protocol: 'ipmi' });
    expect(hosts[0].password).toBe(SECRET);
    expect(hosts[1]).toMatchObject({ name: 'node-02', port: 9624 });
    // Extra fields are allowed and ignored; an entry without a protocol is IPMI.
    expect(Object.keys(hosts[1])).toEqual(['name', 'host', 'port', 'user', 'passwordFile', 'protocol']);
  });

  it('an absolute passwordFile is used as is; a relative inventory path works from the current folder', () => {
    const path = inventory([good({ passwordFile: join(dir, 'secrets', 'pw') })]);
    const cwd = process.cwd();
    try {
      process.chdir(dir);
      expect(readInventory(path.slice(dir.length + 1))[0].password).toBe(SECRET);
    } finally {
      process.chdir(cwd);
    }
  });

  it('the password never shows when a host is printed, serialised or spread', () => {
    const [host] = readInventory(inventory([good()]));
    expect(JSON.stringify(host)).not.toContain(SECRET);
    expect(inspect(host, { depth: 5 })).not.toContain(SECRET);
    expect(JSON.stringify({ ...host })).not.toContain(SECRET);
  });
});

describe('readInventory: each error names the file, the entry and the field', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['not JSON', '[{"name": "a",}]', /: not valid JSON at line 1 column 15$/],
    ['not JSON, line and column', '[\n  {\n    "name": "a"\n    "host": "b"\n  }\n]', /: not valid JSON at line 4 column 5$/],
    ['not an array', { name: 'x' }, /: expected a JSON array of BMC entries, found an object$/],
    ['an empty array', [], /: lists no BMCs \(the array is empty\)$/],
    ['an entry that is not an object', [good(), 'node-02'], /: entry \[1\]: expected an object, found a string \("node-02"\)$/],
    ['an entry that is null', [null], /: entry \[0\]: expected an object, found null$/],
    ['missing name', [{ ...good(), name: undefined }], /: entry \[0\]: "name" is missing$/],
    ['missing host', [good(), { ...good({ name: 'b' }), host: undefined }], /: entry \[1\] \("b"\): "host" is missing$/],
    ['missing port', [{ ...good(), port: undefined }], /: entry \[0\] \("node-01"\): "port" is missing$/],
    ['missing user', [{ ...good(), user: undefined }], /: entry \[0\] \("node-01"\): "user" is missing$/],
    ['missing passwordFile', [{ ...good(), passwordFile: undefined }], /: entry \[0\] \("node-01"\): "passwordFile" is missing$/],
    ['port as a string', [good({ port: '623' })], /: entry \[0\] \("node-01"\): "port" must be a number, found a string \("623"\)$/],
    ['port 0', [good({ port: 0 })], /: entry \[0\] \("node-01"\): "port" must be a whole number from 1 to 65535, found 0$/],
    ['port 65536', [good({ port: 65536 })], /"port" must be a whole number from 1 to 65535, found 65536$/],
    ['port 623.5', [good({ port: 623.5 })], /"port" must be a whole number from 1 to 65535, found 623.5$/],
    ['name as a number', [good({ name: 7 })], /: entry \[0\]: "name" must be a string, found the number 7$/],
    ['host as null', [good({ host: null })], /: entry \[0\] \("node-01"\): "host" must be a string, found null$/],
    ['user as an array', [good({ user: ['admin'] })], /: entry \[0\] \("node-01"\): "user" must be a string, found an array$/],
    ['passwordFile as a boolean', [good({ passwordFile: true })], /"passwordFile" must be a string, found a boolean \(true\)$/],
    ['an empty host', [good({ host: ' ' })], /: entry \[0\] \("node-01"\): "host" is empty$/],
    ['a duplicate name', [good(), good({ port: 9624 }), good({ name: 'node-01', port: 9625 })], /: entry \[1\] \("node-01"\): name "node-01" is already used by entry \[0\]$/],
    ['a missing password file', [good(), good({ name: 'b', passwordFile: 'secrets/nope' })], /: entry \[1\] \("b"\): cannot read passwordFile .*secrets\/nope \(ENOENT\)$/],
    ['an empty password file', [good({ passwordFile: 'secrets/empty' })], /: entry \[0\] \("node-01"\): passwordFile .*secrets\/empty is empty$/],
  ];
  for (const [what, content, message] of cases) {
    it(what, () => {
      const path = inventory(content);
      const e = errorOf(path);
      expect(e.message.startsWith(`inventory ${path}: `), e.message).toBe(true);
      expect(e.message).toMatch(message);
      expect(e.path).toBe(path);
    });
  }

  it('a file that cannot be read', () => {
    const e = errorOf(join(dir, 'missing.json'));
    expect(e.message).toBe(`inventory ${join(dir, 'missing.json')}: cannot read the file (ENOENT)`);
  });

  it('a password file whose content looks like JSON is still never echoed', () => {
    writeFileSync(join(dir, 'secrets', 'weird'), `${SECRET}"}]\n`);
    const e = errorOf(inventory([good({ passwordFile: 'secrets/weird' }), good({ port: 70000, name: 'x' })]));
    expect(e.message).toMatch(/entry \[1\] \("x"\): "port"/);
  });
});

describe('writeInventory', () => {
  it('writes pretty JSON that readInventory reads back, keeping extra fields and never a password', () => {
    const path = join(dir, 'written.json');
    const entries: InventoryEntry[] = [
      { name: 'sim-01', host: '127.0.0.1', port: 20001, user: 'admin', passwordFile: 'secrets/pw', cipherSuite: 17 },
      { name: 'sim-02', host: '127.0.0.1', port: 20003, user: 'admin', passwordFile: 'secrets/pw', cipherSuite: 3, password: SECRET },
    ];
    writeInventory(path, entries);
    const text = readFileSync(path, 'utf8');
    expect(text).toBe(
      JSON.stringify(
        entries.map(({ password: _p, ...e }) => e),
        null,
        2,
      ) + '\n',
    );
    expect(text).not.toContain(SECRET);
    expect(text).toContain('\n  {\n    "name": "sim-01",');
    const back = readInventory(path);
    expect(back.map((h) => [h.name, h.port, h.password])).toEqual([
      ['sim-01', 20001, SECRET],
      ['sim-02', 20003, SECRET],
    ]);
    // Atomic: no temporary file is left beside it.
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('hosts read back from an inventory can be written again', () => {
    const path = join(dir, 'rewritten.json');
    writeInventory(path, readInventory(inventory([good()])));
    expect(readFileSync(path, 'utf8')).not.toContain(SECRET);
    expect(readInventory(path)[0].passwordFile).toBe(join(dir, 'secrets', 'pw'));
  });

  it('refuses invalid entries and writes nothing', () => {
    const path = join(dir, 'never.json');
    expect(() => writeInventory(path, [{ name: 'a', host: 'h', port: 0, user: 'u', passwordFile: 'p' }])).toThrow(/entry \[0\] \("a"\): "port" must be a whole number from 1 to 65535, found 0/);
    expect(readdirSync(dir)).not.toContain('never.json');
  });
});

describe('Redfish entries', () => {
  it('carry their protocol, URL and certificate fingerprint; bad ones are refused by field', () => {
    const fp = 'AB:'.repeat(31) + 'AB';
    const path = inventory([good({ name: 'rf', protocol: 'redfish', url: 'https://127.0.0.1:16231', fingerprint256: fp })]);
    expect(readInventory(path)[0]).toMatchObject({ protocol: 'redfish', url: 'https://127.0.0.1:16231', fingerprint256: fp });
    expect(() => readInventory(inventory([good({ protocol: 'snmp' })]))).toThrow(/"protocol" must be "ipmi" or "redfish"/);
    expect(() => readInventory(inventory([good({ protocol: 'redfish', url: 'https://127.0.0.1:16231/redfish/v1/Systems' })]))).toThrow(/"url" must be the BMC's base URL/);
    expect(() => readInventory(inventory([good({ protocol: 'redfish', fingerprint256: 'AB:CD' })]))).toThrow(/"fingerprint256" must be a SHA-256 fingerprint/);
  });
});
