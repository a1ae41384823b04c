// The admin listing: keyset (cursor) pagination over a stable sort (field, then id), an optional
// case-insensitive prefix search on email or display name, and a bounded page size.
import { z } from 'zod';
import { userProblem } from '../error-codes';
import type { Database, Profile } from '../store/database';

export const SORTS = ['createdAt', '-createdAt', 'email', '-email', 'displayName', '-displayName'] as const;
type Sort = (typeof SORTS)[number];
type Column = 'createdAt' | 'email' | 'displayNameKey';

const COLUMNS: Record<string, Column> = { createdAt: 'createdAt', email: 'email', displayName: 'displayNameKey' };

interface Cursor {
  sort: Sort;
  value: string;
  id: string;
}

export interface ListQuery {
  limit: number;
  cursor?: string;
  q?: string;
  sort: Sort;
}

export function listQuerySchema(pageSize: { default: number; max: number }) {
  return z.strictObject({
    limit: z.coerce.number().int('must be an integer').min(1).max(pageSize.max).default(pageSize.default),
    cursor: z.string().max(1024).optional(),
    q: z.string().trim().min(1).max(320).optional(),
    sort: z.enum(SORTS).default('createdAt'),
  });
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(raw: string, sort: Sort): Cursor {
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<Cursor>;
    if (parsed.sort === sort && typeof parsed.value === 'string' && typeof parsed.id === 'string') return parsed as Cursor;
  } catch {
    // falls through
  }
  throw userProblem('invalid_cursor', { detail: 'Use the nextCursor of a previous page with the same sort.' });
}

export function createProfileListing(db: Database) {
  return async function list(query: ListQuery): Promise<{ items: Profile[]; nextCursor: string | null }> {
    const descending = query.sort.startsWith('-');
    const column = COLUMNS[query.sort.replace('-', '')] as Column;
    const direction = descending ? 'desc' : 'asc';
    const beyond = descending ? 'lt' : 'gt';
    const and: object[] = [{ state: 'active' }];
    if (query.q !== undefined) {
      // A range, not LIKE: Prisma's startsWith does not escape % and _ on SQLite, and a range
      // uses the index. Both columns hold lower-case text.
      const range = { gte: query.q.toLowerCase(), lt: `${query.q.toLowerCase()}\uffff` };
      and.push({ OR: [{ email: range }, { displayNameKey: range }] });
    }
    if (query.cursor !== undefined) {
      const cursor = decodeCursor(query.cursor, query.sort);
      const value = column === 'createdAt' ? new Date(cursor.value) : cursor.value;
      and.push({ OR: [{ [column]: { [beyond]: value } }, { [column]: value, id: { [beyond]: cursor.id } }] });
    }
    const rows = await db.profile.findMany({
      where: { AND: and },
      orderBy: [{ [column]: direction }, { id: direction }],
      take: query.limit + 1,
    });
    const items = rows.slice(0, query.limit);
    const last = items.at(-1);
    const more = rows.length > query.limit && last !== undefined;
    const value = (p: Profile) => (column === 'createdAt' ? p.createdAt.toISOString() : p[column]);
    return { items, nextCursor: more ? encodeCursor({ sort: query.sort, value: value(last), id: last.id }) : null };
  };
}
