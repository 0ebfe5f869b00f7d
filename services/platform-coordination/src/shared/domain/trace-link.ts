import { parseTraceparent } from '@fv/service-kit';

/** The placeholder of TRACE_URL_TEMPLATE, e.g. `http://localhost:16686/trace/{traceId}`. */
export const TRACE_ID_PLACEHOLDER = '{traceId}';

const TRACE_ID = /^[0-9a-f]{32}$/;

/** Why a TRACE_URL_TEMPLATE is unusable, or null when it is fine. */
export function traceUrlTemplateProblem(template: string): string | null {
  if (!template.includes(TRACE_ID_PLACEHOLDER)) return `must contain ${TRACE_ID_PLACEHOLDER}`;
  let url: URL;
  try {
    url = new URL(template.replaceAll(TRACE_ID_PLACEHOLDER, '0'.repeat(32)));
  } catch {
    return 'must be an absolute URL once {traceId} is filled in';
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? null : 'must be an http(s) URL';
}

/** The trace id a W3C `traceparent` names; null when the header is missing or not valid. */
export function traceIdOf(traceparent: string | null | undefined): string | null {
  return traceparent ? (parseTraceparent(traceparent)?.traceId ?? null) : null;
}

/** The trace's page: the template with the trace id filled in (null without a template or trace id). */
export function traceUrl(template: string | undefined, traceId: string | null): string | null {
  if (!template || !traceId || !TRACE_ID.test(traceId)) return null;
  return template.replaceAll(TRACE_ID_PLACEHOLDER, traceId);
}

/**
 * A workflow document with its trace: `traceId` (kept in the workflow's metadata, from the first event
 * the observer applied for it) and, with a template, `traceUrl`. Unchanged when no trace is known.
 */
export function withTraceLink<D extends { metadata: Record<string, unknown> }>(
  document: D,
  template: string | undefined,
): D & { traceId?: string; traceUrl?: string } {
  const traceId = document.metadata.traceId;
  if (typeof traceId !== 'string' || !TRACE_ID.test(traceId)) return document;
  const url = traceUrl(template, traceId);
  return { ...document, traceId, ...(url ? { traceUrl: url } : {}) };
}
