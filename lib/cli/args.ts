/** A small, strict command-line parser: known flags only, clear errors, no dependency. */

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface FlagSpec {
  /** Names, e.g. ['-H', '--host']. */
  names: string[];
  /** Takes a value (otherwise boolean). */
  value?: boolean;
  key: string;
}

export interface Parsed {
  flags: Record<string, string | boolean>;
  positional: string[];
}

export function parseArgs(argv: string[], specs: FlagSpec[]): Parsed {
  const byName = new Map<string, FlagSpec>();
  for (const s of specs) for (const n of s.names) byName.set(n, s);
  const flags: Record<string, string | boolean> = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('-') && a.length > 1 && !/^-\d/.test(a)) {
      const eq = a.indexOf('=');
      const name = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
      const spec = byName.get(name);
      if (!spec) throw new UsageError(`unknown option ${name}`);
      if (spec.value) {
        const v = a.startsWith('--') && eq > 0 ? a.slice(eq + 1) : argv[++i];
        if (v === undefined) throw new UsageError(`option ${name} needs a value`);
        flags[spec.key] = v;
      } else {
        flags[spec.key] = true;
      }
    } else {
      positional.push(a);
    }
  }
  return { flags, positional };
}

export function intFlag(v: string | boolean | undefined, name: string, min: number, max: number): number | undefined {
  if (v === undefined || v === false) return undefined;
  if (v === true || !/^\d+$/.test(v)) throw new UsageError(`${name} must be a whole number`);
  const n = Number(v);
  if (n < min || n > max) throw new UsageError(`${name} must be between ${min} and ${max}`);
  return n;
}
