/** What every view gets: the API client, who is looking (role), and a voice for screen readers. */
import type { Api } from './api.ts';
import type { Lifetime } from './poll.ts';
import type { Me } from './types.ts';

export interface App {
  api: Api;
  me: Me;
  /** Operator or admin: may power hosts, sleep and wake pools, skip and hold. */
  canOperate: boolean;
  /** Admin: may also clear a schedule's exceptions. */
  isAdmin: boolean;
  /** Say something through the polite live region. */
  announce(text: string): void;
}

export type View = (app: App, root: HTMLElement, life: Lifetime, params: string[]) => void;

/** Run `f` over `items`, `limit` at a time. */
export async function eachLimited<T>(items: T[], limit: number, f: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await f(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
