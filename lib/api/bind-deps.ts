/** What binding a BMC needs from the API's context: its driver (identity) and the pool's XAPI (serials). */
import type { BindDeps } from '../ops/index.ts';
import type { PoolOpsDeps } from '../ops/index.ts';
import type { ApiContext } from './types.ts';

export const bindDeps = (ctx: ApiContext): BindDeps => ({ store: ctx.store, driver: ctx.ops.driver, hypervisorFor: (ctx.ops as Partial<PoolOpsDeps>).hypervisorFor, now: ctx.now, log: ctx.log });
