import { envInteger } from '@fv/service-kit';
import { simulatorConfigSchema } from '@fv/simulator-kit';
import type { z } from 'zod';

/** The simulator's configuration, read once from the environment at start. */
export const providerConfigSchema = simulatorConfigSchema({ service: 'payment-provider', port: 8087 }).extend(
  {
    /** How long a `tok_timeout` authorization is held before the simulator answers 504 itself. */
    TIMEOUT_TOKEN_HOLD_MS: envInteger(1, 600_000).default(120_000),
  },
);

export type ProviderConfig = z.output<typeof providerConfigSchema>;
