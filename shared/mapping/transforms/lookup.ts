/**
 * `lookup`: an id of one system to the id of the same record in the other, through the links
 * port. It is the one transform that needs I/O, so the compiler treats it specially: values are
 * collected for a whole page and resolved in one port call (see compile.ts), never per record.
 */
import { z } from 'zod';

import type { LinkDirection } from '../../ports/linkLookup';
import { defineTransform, fail, type Inverse, invertTo, type RuleSide } from './types';

export const LookupArgsSchema = z.strictObject({
  /** The resource type the id belongs to (e.g. MEMBER for an assignee). */
  resourceType: z.string().min(1).max(100),
  /** Defaults to toInternal in inbound rules and toExternal in outbound rules. */
  direction: z.enum(['toInternal', 'toExternal']).optional(),
  /** What an id without a link becomes: a field error (default), null, or the id unchanged. */
  onMissing: z.enum(['error', 'null', 'keep']).optional(),
});
export type LookupArgs = z.infer<typeof LookupArgsSchema>;

export function lookupDirection(args: LookupArgs, side: RuleSide): LinkDirection {
  return args.direction ?? (side === 'inbound' ? 'toInternal' : 'toExternal');
}

export const lookupTransform = defineTransform(
  {
    name: 'lookup',
    description:
      'Replace an id with the linked id in the other system (batched per page through the links port).',
    args: LookupArgsSchema,
    create: () => fail('lookup runs in the page phase, not as a plain step'),
    inverse: (args, ctx): Inverse => {
      const dir = lookupDirection(args, ctx.side);
      return invertTo('lookup', {
        ...args,
        direction: dir === 'toInternal' ? 'toExternal' : 'toInternal',
      });
    },
  },
  'lookup',
);
