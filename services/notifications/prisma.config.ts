import { defineConfig } from 'prisma/config';
import { prismaConfigFor } from '@fv/database';

export default defineConfig(
  prismaConfigFor({
    service: 'notifications',
    schema: 'prisma/schema',
    migrations: 'prisma/migrations',
    root: import.meta.dirname,
  }),
);
