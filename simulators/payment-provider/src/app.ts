import type { Database } from '@fv/database';
import { AppError, createApp, invalidFields, type Logger } from '@fv/service-kit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ProviderConfig } from './config.js';
import {
  fingerprintOf,
  hasAnswer,
  idempotencyKeyOf,
  oncePerKey,
  TransientFailure,
  type Answer,
  type Tx,
} from './idempotency.js';
import {
  authorize,
  capture,
  findAuthorization,
  listAuthorizations,
  refund,
  voidAuthorization,
} from './ledger.js';
import { toMinor } from './money.js';
import { behaviourOf } from './test-tokens.js';

export interface ProviderAppOptions {
  config: ProviderConfig;
  db: Database;
  logger?: Logger;
}

const AMOUNT = {
  type: 'string',
  pattern: '^\\d{1,15}(\\.\\d{1,3})?$',
  description: 'decimal string, e.g. "1499.97"',
};
const CURRENCY = { type: 'string', pattern: '^[A-Z]{3}$', description: 'ISO 4217 code' };
const ID = { type: 'string', minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_-]+$' };
const IDEMPOTENCY_HEADERS = {
  type: 'object',
  properties: {
    'idempotency-key': { type: 'string', description: 'required: 1–255 visible ASCII characters' },
  },
};

const moneyBody = {
  type: 'object',
  additionalProperties: false,
  required: ['amount', 'currency'],
  properties: { amount: AMOUNT, currency: CURRENCY },
};

/** The amount in minor units, or a 400 naming `body.amount`. */
function minorOf(amount: string, currency: string): bigint {
  const minor = toMinor(amount, currency);
  if (minor === null) {
    throw invalidFields([
      {
        field: 'body.amount',
        rule: 'amount',
        message: `must be a positive amount with at most the decimals of ${currency}`,
      },
    ]);
  }
  return minor;
}

function send(reply: FastifyReply, outcome: { answer: Answer; replayed: boolean }) {
  if (outcome.replayed) reply.header('idempotent-replayed', 'true');
  const { answer } = outcome;
  if (answer.kind === 'refusal') {
    throw new AppError(answer.code, answer.message, {
      details: answer.details,
      headers: outcome.replayed ? { 'idempotent-replayed': 'true' } : {},
    });
  }
  return reply.code(answer.statusCode).send(answer.body);
}

/**
 * The simulated payment service provider's HTTP API: authorizations and their captures, voids and
 * refunds, each POST under an `Idempotency-Key` (the first answer is stored with the ledger change in
 * one transaction and replayed for a repeat). Builds the app; never listens.
 */
export async function buildProviderApp(options: ProviderAppOptions): Promise<FastifyInstance> {
  const { config, db } = options;
  const app = await createApp({
    config,
    ...(options.logger ? { logger: options.logger } : {}),
    rateLimit: false,
    healthChecks: [{ name: 'database', critical: true, check: () => db.ping() }],
    openapi: { description: 'A payment service provider simulator with durable state and idempotency keys' },
  });
  const hold = heldCalls(app, config.TIMEOUT_TOKEN_HOLD_MS);
  registerAuthorize(app, db, hold);
  registerAmountStep(app, db, {
    path: 'capture',
    summary: 'Capture (part of) an authorization',
    apply: capture,
  });
  registerVoid(app, db);
  registerAmountStep(app, db, {
    path: 'refunds',
    summary: 'Refund (part of) what was captured',
    apply: refund,
  });
  registerGetAuthorization(app, db);
  registerListAuthorizations(app, db);
  return app;
}

/** Holds a call open for `holdMs`, or until the client goes away or the app closes. */
type Hold = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** tok_timeout calls are held open; shutting down lets them go. */
function heldCalls(app: FastifyInstance, holdMs: number): Hold {
  const held = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const release of [...held]) release();
  });
  return async function hold(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    await new Promise<void>((resolve) => {
      const release = () => {
        clearTimeout(timer);
        reply.raw.off('close', release);
        held.delete(release);
        resolve();
      };
      const timer = setTimeout(release, holdMs);
      reply.raw.once('close', release);
      held.add(release);
    });
    request.log.info('held call released');
  };
}

/** Does `work` once per Idempotency-Key and sends its answer, the stored one for a repeat. */
async function run(
  db: Database,
  request: FastifyRequest,
  reply: FastifyReply,
  operation: string,
  work: (tx: Tx, key: string) => Promise<Answer | TransientFailure>,
) {
  const key = idempotencyKeyOf(request.headers);
  const outcome = await oncePerKey(db, key, fingerprintOf(operation, request.body), (tx) => work(tx, key));
  if (outcome instanceof TransientFailure) {
    throw new AppError(
      'SERVICE_UNAVAILABLE',
      `The provider could not process the request: ${outcome.message}; retry with the same Idempotency-Key`,
      {
        details: { reason: 'PROVIDER_UNAVAILABLE' },
        headers: { 'retry-after': '1' },
      },
    );
  }
  return send(reply, outcome);
}

function registerAuthorize(app: FastifyInstance, db: Database, hold: Hold): void {
  app.post<{
    Body: {
      amount: string;
      currency: string;
      paymentMethod: { type: string; token: string };
      merchantReference?: string;
    };
  }>(
    '/v1/authorizations',
    {
      schema: {
        summary: 'Authorize (hold) an amount on a payment method',
        headers: IDEMPOTENCY_HEADERS,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['amount', 'currency', 'paymentMethod'],
          properties: {
            amount: AMOUNT,
            currency: CURRENCY,
            paymentMethod: {
              type: 'object',
              additionalProperties: false,
              required: ['type', 'token'],
              properties: {
                type: { type: 'string', minLength: 1, maxLength: 40 },
                token: { type: 'string', minLength: 1, maxLength: 200 },
              },
            },
            merchantReference: { type: 'string', minLength: 1, maxLength: 200 },
          },
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const amount = minorOf(body.amount, body.currency);
      const key = idempotencyKeyOf(request.headers);
      if (behaviourOf(body.paymentMethod.token).kind === 'hold' && !(await hasAnswer(db, key))) {
        await hold(request, reply);
        throw new AppError('TIMEOUT_EXCEEDED', 'The provider did not answer in time', {
          details: { reason: 'PROVIDER_TIMEOUT' },
        });
      }
      return run(db, request, reply, 'POST /v1/authorizations', (tx, idempotencyKey) =>
        authorize(tx, idempotencyKey, {
          amount,
          currency: body.currency,
          token: body.paymentMethod.token,
          paymentMethodType: body.paymentMethod.type,
          merchantReference: body.merchantReference ?? null,
        }),
      );
    },
  );
}

/** A POST that moves an amount on an authorization: a capture, or a refund of what was captured. */
function registerAmountStep(
  app: FastifyInstance,
  db: Database,
  step: { path: 'capture' | 'refunds'; summary: string; apply: typeof capture },
): void {
  app.post<{ Params: { id: string }; Body: { amount: string; currency: string } }>(
    `/v1/authorizations/:id/${step.path}`,
    {
      schema: {
        summary: step.summary,
        headers: IDEMPOTENCY_HEADERS,
        params: { type: 'object', required: ['id'], properties: { id: ID } },
        body: moneyBody,
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const amount = minorOf(request.body.amount, request.body.currency);
      return run(db, request, reply, `POST /v1/authorizations/${id}/${step.path}`, (tx, key) =>
        step.apply(tx, key, id, { amount, currency: request.body.currency }),
      );
    },
  );
}

function registerVoid(app: FastifyInstance, db: Database): void {
  app.post<{ Params: { id: string }; Body: Record<string, never> | undefined }>(
    '/v1/authorizations/:id/void',
    {
      schema: {
        summary: 'Void an authorization that was not captured',
        headers: IDEMPOTENCY_HEADERS,
        params: { type: 'object', required: ['id'], properties: { id: ID } },
        body: { type: ['object', 'null'], additionalProperties: false, properties: {} },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      return run(db, request, reply, `POST /v1/authorizations/${id}/void`, (tx, key) =>
        voidAuthorization(tx, key, id),
      );
    },
  );
}

function registerGetAuthorization(app: FastifyInstance, db: Database): void {
  app.get<{ Params: { id: string } }>(
    '/v1/authorizations/:id',
    {
      schema: {
        summary: 'An authorization with its captures, voids and refunds',
        params: { type: 'object', required: ['id'], properties: { id: ID } },
      },
    },
    async (request) => {
      const found = await findAuthorization(db.query, request.params.id);
      if (!found) {
        throw new AppError('NOT_FOUND', `No authorization ${request.params.id}`, {
          details: { reason: 'AUTHORIZATION_NOT_FOUND', authorizationId: request.params.id },
        });
      }
      return found;
    },
  );
}

function registerListAuthorizations(app: FastifyInstance, db: Database): void {
  app.get<{ Querystring: { merchantReference: string } }>(
    '/v1/authorizations',
    {
      schema: {
        summary: 'Authorizations made for a merchant reference',
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['merchantReference'],
          properties: { merchantReference: { type: 'string', minLength: 1, maxLength: 200 } },
        },
      },
    },
    async (request) => ({
      authorizations: await listAuthorizations(db.query, request.query.merchantReference),
    }),
  );
}
