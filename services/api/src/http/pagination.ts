import { Type, type TSchema } from '@sinclair/typebox';
import { ApiError } from '../errors.ts';

const MAX_PAGE_SIZE = 1000;

/** The query parameters every list shares. */
export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 100, description: `items per page, at most ${MAX_PAGE_SIZE}` })),
  cursor: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'opaque: the `next` link of the previous page carries it' })),
};

/** A page of any list, as pageOf describes it. */
export interface Page<T> {
  items: T[];
  next: string | null;
}

export const pageOf = <T extends TSchema>(item: T) =>
  Type.Object({
    items: Type.Array(item),
    next: Type.Union([Type.String(), Type.Null()], { description: 'path and query of the next page; null on the last page' }),
  });

/** Cursors are opaque to clients; today they carry an offset, tomorrow they may carry a position. */
function encodeCursor(offset: number): string {
  return Buffer.from(`o${offset}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^o(\d{1,9})$/.exec(text);
  if (!match) {
    throw new ApiError('MTL_API_BAD_CURSOR', 'the cursor was not made by this API; start again without it', {
      issues: [{ in: 'query', pointer: '/cursor', detail: 'is not a cursor this API made' }],
    });
  }
  return Number(match[1]);
}

/** The `next` link: the request's own path and query with the cursor of the page after this one. */
export function nextLink(url: string, offset: number, hasMore: boolean): string | null {
  if (!hasMore) return null;
  const parsed = new URL(url, 'http://localhost');
  parsed.searchParams.set('cursor', encodeCursor(offset));
  return `${parsed.pathname}${parsed.search}`;
}

/** A page of an in-memory list. */
export function slicePage<T>(all: readonly T[], query: { limit?: number; cursor?: string }, url: string): Page<T> {
  const offset = decodeCursor(query.cursor);
  const limit = query.limit ?? 100;
  return { items: all.slice(offset, offset + limit), next: nextLink(url, offset + limit, offset + limit < all.length) };
}
