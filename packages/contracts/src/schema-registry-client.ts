/**
 * A small client for the administrative part of the Confluent Schema Registry REST API:
 * subject compatibility, registration, compatibility tests. It speaks to any registry
 * implementing that API (Confluent, Redpanda, Apicurio's `/apis/ccompat/v7`) and relies
 * on nothing beyond it. Encoding and decoding messages is left to
 * `@kafkajs/confluent-schema-registry`.
 */

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

export type CompatibilityLevel =
  'BACKWARD' | 'BACKWARD_TRANSITIVE' | 'FORWARD' | 'FORWARD_TRANSITIVE' | 'FULL' | 'FULL_TRANSITIVE' | 'NONE';

export interface SchemaRegistryClientOptions {
  /** Base URL of the registry's Confluent API, e.g. `http://127.0.0.1:8090/apis/ccompat/v7`. */
  readonly url: string;
  /** Time allowed for one HTTP request, in milliseconds. Default 10000. */
  readonly timeoutMs?: number;
}

/** A request the registry refused or could not answer. */
export class SchemaRegistryError extends Error {
  constructor(
    message: string,
    /** HTTP status, or `undefined` when no response arrived. */
    readonly status: number | undefined,
    /** The registry's `error_code` (e.g. 40401 subject not found, 409 incompatible), when it sent one. */
    readonly errorCode: number | undefined,
    /** The registry's own explanation, when it sent one. */
    readonly reason: string,
  ) {
    super(message);
    this.name = 'SchemaRegistryError';
  }
}

export interface RegisteredSchemaVersion {
  readonly subject: string;
  readonly id: number;
  readonly version: number;
  /** The schema as the registry stores it (JSON text). */
  readonly schema: string;
}

export interface CompatibilityTestResult {
  readonly compatible: boolean;
  /** Explanations, when the registry gives them (Confluent does with `verbose=true`). */
  readonly messages: readonly string[];
}

function asSchemaText(schema: string | object): string {
  return typeof schema === 'string' ? schema : JSON.stringify(schema);
}

export class SchemaRegistryClient {
  readonly url: string;
  private readonly timeoutMs: number;

  constructor(options: SchemaRegistryClientOptions) {
    this.url = options.url.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = `${this.url}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          accept: `${CONTENT_TYPE}, application/json`,
          ...(body === undefined ? {} : { 'content-type': CONTENT_TYPE }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const cause =
        error instanceof Error
          ? ((error.cause as Error | undefined)?.message ?? error.message)
          : String(error);
      throw new SchemaRegistryError(
        `${method} ${url}: no response from the schema registry (${cause})`,
        undefined,
        undefined,
        cause,
      );
    }
    const text = await response.text();
    let data: unknown = undefined;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = text;
      }
    }
    if (!response.ok) {
      const payload = (typeof data === 'object' && data !== null ? data : {}) as {
        message?: unknown;
        error_code?: unknown;
      };
      const reason = typeof payload.message === 'string' ? payload.message : text || response.statusText;
      const errorCode = typeof payload.error_code === 'number' ? payload.error_code : undefined;
      throw new SchemaRegistryError(
        `${method} ${url}: HTTP ${response.status}: ${reason}`,
        response.status,
        errorCode,
        reason,
      );
    }
    return data as T;
  }

  private subjectPath(subject: string): string {
    return `/subjects/${encodeURIComponent(subject)}`;
  }

  /** Names of the subjects that have at least one registered version. */
  async subjects(): Promise<string[]> {
    return this.request<string[]>('GET', '/subjects');
  }

  /** Sets the compatibility level of one subject (it may not exist yet). */
  async setCompatibility(subject: string, level: CompatibilityLevel): Promise<void> {
    await this.request('PUT', `/config/${encodeURIComponent(subject)}`, { compatibility: level });
  }

  /** The subject's own compatibility level, or `undefined` when it has none (the global level applies). */
  async compatibility(subject: string): Promise<string | undefined> {
    try {
      const result = await this.request<{ compatibilityLevel?: string; compatibility?: string }>(
        'GET',
        `/config/${encodeURIComponent(subject)}`,
      );
      return result.compatibilityLevel ?? result.compatibility;
    } catch (error) {
      if (error instanceof SchemaRegistryError && error.status === 404) return undefined;
      throw error;
    }
  }

  /**
   * Registers a schema under a subject and returns its id. Registering a schema that is
   * already there returns the existing id; an incompatible schema is refused with HTTP 409.
   */
  async register(subject: string, schema: string | object): Promise<number> {
    const result = await this.request<{ id: number }>('POST', `${this.subjectPath(subject)}/versions`, {
      schema: asSchemaText(schema),
    });
    return result.id;
  }

  /** The latest version of a subject, or `undefined` when the subject does not exist. */
  async latestVersion(subject: string): Promise<RegisteredSchemaVersion | undefined> {
    try {
      return await this.request<RegisteredSchemaVersion>(
        'GET',
        `${this.subjectPath(subject)}/versions/latest`,
      );
    } catch (error) {
      if (error instanceof SchemaRegistryError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** Asks whether `schema` may be registered as the subject's next version. */
  async testCompatibility(subject: string, schema: string | object): Promise<CompatibilityTestResult> {
    const result = await this.request<{ is_compatible: boolean; messages?: unknown }>(
      'POST',
      `/compatibility${this.subjectPath(subject)}/versions/latest?verbose=true`,
      { schema: asSchemaText(schema) },
    );
    const messages = Array.isArray(result.messages) ? result.messages.map(String) : [];
    return { compatible: result.is_compatible === true, messages };
  }

  /** Deletes a subject; `permanent` also removes it after the soft delete, as Confluent requires. */
  async deleteSubject(subject: string, options: { permanent?: boolean } = {}): Promise<void> {
    await this.request('DELETE', this.subjectPath(subject));
    if (options.permanent) await this.request('DELETE', `${this.subjectPath(subject)}?permanent=true`);
  }
}
