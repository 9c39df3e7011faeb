import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { ApiContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import type { AlertingDirectory } from './alerting-directory.ts';

/** The directory: the subscription and silence routes are registered only with one (app.ts). */
export function directoryOf(ctx: ApiContext): AlertingDirectory {
  if (!ctx.alerting) throw new Error('a subscription or silence route was registered without an alerting directory');
  return ctx.alerting;
}

/** Waits for a change written through the directory; a change that was not read back in time is durable but said in the log. */
export async function committed(request: FastifyRequest, write: Promise<boolean>, what: string): Promise<void> {
  if (!(await write)) request.log.warn({ change: what }, 'written to the alerting topic but not yet read back: the next request may not see it');
}

/** An id the API makes for a new subscription or silence: random, so it tells nothing of other tenants' ids. */
export const newId = (prefix: 'sub' | 'sil'): string => `${prefix}-${randomBytes(10).toString('hex')}`;

export const bodyIssue = (pointer: string, detail: string) =>
  new ApiError('MTL_API_VALIDATION_FAILED', `body ${pointer}: ${detail}`, { issues: [{ in: 'body', pointer, detail }] });

export const iso = (ms: number): string => new Date(ms).toISOString();
