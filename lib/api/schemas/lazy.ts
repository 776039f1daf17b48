/**
 * The API's schemas are built on first use, not at import: a Lambda that never parses an API
 * request (the worker, the scheduler) does not pay for them, and one that does builds only what its
 * route needs. `inner` reaches the built schema where zod needs the object itself (pick, extend).
 */
import * as z from 'zod/mini';

export const lazy = <T extends z.ZodMiniType>(build: () => T): z.ZodMiniLazy<T> => z.lazy(build);

export const inner = <T extends z.ZodMiniType>(schema: z.ZodMiniLazy<T>): T => schema._zod.innerType;
