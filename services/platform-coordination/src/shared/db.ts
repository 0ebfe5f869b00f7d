import type { Prisma } from '../generated/prisma/client.js';

/** A transaction (or the client itself): every store function runs inside the caller's transaction. */
export type Db = Prisma.TransactionClient;
