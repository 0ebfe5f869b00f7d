import { defineConfig } from 'prisma/config';
import { prismaConfigFor } from '@fv/database';

export default defineConfig(
  prismaConfigFor({
    service: 'service-runtime-test',
    schema: 'test/prisma/schema',
    migrations: 'test/prisma/migrations',
    root: import.meta.dirname,
  }),
);
