/** Who is asking, with which role. */
import * as z from 'zod/mini';
import { lazy } from './lazy.ts';
import { ROLES } from '../roles.ts';

export const MeAnswer = lazy(() => z.strictObject({ actor: z.string(), role: z.enum(ROLES) }));

export type MeAnswer = z.output<typeof MeAnswer>;
