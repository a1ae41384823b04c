// The Prisma client type the service codes against. Both generated clients (sqlite, postgresql)
// share this shape; which one is built is decided at runtime from the URL (see open-database.ts).
export type { PrismaClient as Database } from '../generated/sqlite/client';
export type { Profile, AccountDeletion, Role } from '../generated/sqlite/client';
