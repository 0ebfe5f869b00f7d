import { randomUUID } from 'node:crypto';
import type { components, paths } from './generated/openapi.js';
import { HttpClient, type ClientOptions, type RequestOptions } from './http.js';

export {
  backoffDelay,
  CoordinationError,
  parseRetryAfter,
  type ClientOptions,
  type ErrorCode,
  type RetryOptions,
} from './http.js';
export type { components, paths } from './generated/openapi.js';

/** The API's paths without the version prefix that the base URL carries. */
type ApiPath = keyof paths & `/api/v1/${string}`;
type Method = 'get' | 'post' | 'put' | 'delete';
type Operation<P extends ApiPath, M extends Method> = NonNullable<paths[P][M]>;

/** The JSON body a successful call of the operation answers with. */
export type ResponseOf<P extends ApiPath, M extends Method> =
  Operation<P, M> extends { responses: infer R }
    ? {
        [S in keyof R]: S extends 200 | 201 | 202
          ? R[S] extends { content: { 'application/json': infer T } }
            ? T
            : never
          : never;
      }[keyof R]
    : never;
/** The JSON body the operation takes. */
export type BodyOf<P extends ApiPath, M extends Method> =
  Operation<P, M> extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;
/** The query parameters the operation takes. */
export type QueryOf<P extends ApiPath, M extends Method> =
  Operation<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

export type Schemas = components['schemas'];
export type StartOrderRequest = BodyOf<'/api/v1/workflows/order/start', 'post'>;
export type WorkflowStarted = Schemas['WorkflowStarted'];
export type WorkflowStatus = Schemas['WorkflowStatus'];
export type CancelRequest = BodyOf<'/api/v1/workflows/{id}/cancel', 'post'>;
export type WorkflowCancellation = Schemas['WorkflowCancellation'];
export type RetryRequest = NonNullable<BodyOf<'/api/v1/workflows/{id}/retry', 'post'>>;
export type WorkflowRetry = Schemas['WorkflowRetry'];
export type MetricsQuery = QueryOf<'/api/v1/workflows/metrics', 'get'>;
export type WorkflowMetrics = Schemas['WorkflowMetrics'];
export type ActiveQuery = QueryOf<'/api/v1/workflows/active', 'get'>;
export type ActiveWorkflows = Schemas['ActiveWorkflows'];
export type SagaDetails = Schemas['SagaDetails'];
export type CompensateRequest = BodyOf<'/api/v1/sagas/{id}/compensate', 'post'>;
export type SagaCompensation = Schemas['SagaCompensation'];
/**
 * The registration body. Its `metadata` holds `tags` (a list), `zone` and any other string values; the
 * generated type intersects the named properties with the string index and admits no tags, so the
 * metadata is typed here as the service validates it.
 */
export type RegisterRequest = Omit<BodyOf<'/api/v1/services/register', 'post'>, 'metadata'> & {
  metadata?: { tags?: string[]; zone?: string; [key: string]: string | string[] | undefined };
};
export type Registration = ResponseOf<'/api/v1/services/register', 'post'>;
export type Heartbeat = ResponseOf<'/api/v1/services/{id}/heartbeat', 'put'>;
export type ServiceListQuery = QueryOf<'/api/v1/services', 'get'>;
export type ServiceList = ResponseOf<'/api/v1/services', 'get'>;
export type ServiceInstance = ResponseOf<'/api/v1/services/{id}', 'get'>;
export type ConfigQuery = QueryOf<'/api/v1/config/{service}', 'get'>;
export type EffectiveConfig = ResponseOf<'/api/v1/config/{service}', 'get'>;
export type ConfigWrite = BodyOf<'/api/v1/config/{service}', 'put'>;
export type ConfigWritten = ResponseOf<'/api/v1/config/{service}', 'put'>;
export type PlatformHealth = ResponseOf<'/api/v1/health', 'get'>;

const segment = (value: string) => encodeURIComponent(value);

/**
 * The client of the Platform Coordination API (seed 001):
 *
 * ```ts
 * const client = new CoordinationClient({ baseUrl: 'http://platform-coordination:8081/api/v1', apiKey: token });
 * const workflow = await client.workflows.startOrder({ ... });
 * const status = await client.workflows.getStatus(workflow.workflowId);
 * ```
 *
 * Every call answers the documented body or throws a {@link CoordinationError} with the envelope's
 * `code`, `status`, `details` and `traceId`. Answers 429 and 503 are tried again with exponential
 * backoff and jitter, never sooner than the server's Retry-After.
 */
export class CoordinationClient {
  private readonly http: HttpClient;

  constructor(options: ClientOptions) {
    this.http = new HttpClient(options);
  }

  private async call<T>(method: string, path: string, options?: RequestOptions): Promise<T> {
    return (await this.http.request<T>(method, path, options)).body;
  }

  readonly workflows = {
    /**
     * POST /workflows/order/start. Without `idempotencyKey` one is made up for this call, so that a
     * retried attempt cannot start the order twice.
     */
    startOrder: (body: StartOrderRequest, options: { idempotencyKey?: string } = {}) =>
      this.call<WorkflowStarted>('POST', '/workflows/order/start', {
        body,
        headers: { 'x-idempotency-key': options.idempotencyKey ?? randomUUID() },
        idempotent: true,
      }),
    /** GET /workflows/{id}/status, by workflow id or order id. */
    getStatus: (workflowId: string) =>
      this.call<WorkflowStatus>('GET', `/workflows/${segment(workflowId)}/status`),
    /** POST /workflows/{id}/cancel: asking again while it is being cancelled answers the same. */
    cancel: (workflowId: string, body: CancelRequest) =>
      this.call<WorkflowCancellation>('POST', `/workflows/${segment(workflowId)}/cancel`, {
        body,
        idempotent: true,
      }),
    /** POST /workflows/{id}/retry: the failed (or named) step is asked for again. */
    retry: (workflowId: string, body: RetryRequest = {}) =>
      this.call<WorkflowRetry>('POST', `/workflows/${segment(workflowId)}/retry`, { body }),
    /** GET /workflows/metrics. */
    getMetrics: (query: MetricsQuery = {}) =>
      this.call<WorkflowMetrics>('GET', '/workflows/metrics', { query }),
    /** GET /workflows/active, a page at a time. */
    listActive: (query: ActiveQuery = {}) =>
      this.call<ActiveWorkflows>('GET', '/workflows/active', { query }),
  };

  readonly sagas = {
    /** GET /sagas/{id}. */
    get: (sagaId: string) => this.call<SagaDetails>('GET', `/sagas/${segment(sagaId)}`),
    /** POST /sagas/{id}/compensate (admin). */
    compensate: (sagaId: string, body: CompensateRequest) =>
      this.call<SagaCompensation>('POST', `/sagas/${segment(sagaId)}/compensate`, { body }),
  };

  readonly services = {
    /** POST /services/register: registering the same name, host and port again renews the instance. */
    register: (body: RegisterRequest) =>
      this.call<Registration>('POST', '/services/register', { body, idempotent: true }),
    /** PUT /services/{id}/heartbeat. */
    heartbeat: (instanceId: string) =>
      this.call<Heartbeat>('PUT', `/services/${segment(instanceId)}/heartbeat`),
    /** DELETE /services/{id}. */
    deregister: async (instanceId: string): Promise<void> => {
      await this.call<unknown>('DELETE', `/services/${segment(instanceId)}`);
    },
    /** GET /services. */
    list: (query: ServiceListQuery = {}) => this.call<ServiceList>('GET', '/services', { query }),
    /** GET /services/{id}. */
    get: (instanceId: string) => this.call<ServiceInstance>('GET', `/services/${segment(instanceId)}`),
  };

  readonly config = {
    /** GET /config/{service}: the effective configuration (platform defaults, service, profile). */
    get: (service: string, query: Omit<ConfigQuery, 'waitForVersion' | 'timeout'> = {}) =>
      this.call<EffectiveConfig>('GET', `/config/${segment(service)}`, { query }),
    /** PUT /config/{service}: replaces the service's entries, given the version they were read at. */
    put: (service: string, body: ConfigWrite, query: { profile?: string } = {}) =>
      this.call<ConfigWritten>('PUT', `/config/${segment(service)}`, { body, query }),
    /**
     * Follows a service's configuration: `onChange` gets the configuration as it is now, then every
     * later version (long polls of GET /config/{service}?waitForVersion=). Stops when `signal` aborts;
     * the returned promise settles then, or rejects on an error that retries did not cure.
     */
    watch: async (
      service: string,
      onChange: (config: EffectiveConfig) => void | Promise<void>,
      options: { profile?: string; signal: AbortSignal; waitSeconds?: number },
    ): Promise<void> => {
      const waitSeconds = options.waitSeconds ?? 30;
      let version: number | null = null;
      while (!options.signal.aborted) {
        let current: EffectiveConfig;
        try {
          current = await this.call<EffectiveConfig>('GET', `/config/${segment(service)}`, {
            query: {
              profile: options.profile,
              ...(version === null ? {} : { waitForVersion: version, timeout: waitSeconds }),
            },
            timeoutMs: (waitSeconds + 10) * 1000,
            signal: options.signal,
          });
        } catch (error) {
          if (options.signal.aborted) return;
          throw error;
        }
        if (version === null || current.version > version) {
          version = current.version;
          await onChange(current);
        }
      }
    },
  };

  readonly health = {
    /** GET /health: the platform's health, each check's included (also when it is DOWN: 503). */
    get: () => this.call<PlatformHealth>('GET', '/health', { accept: [503] }),
  };
}
