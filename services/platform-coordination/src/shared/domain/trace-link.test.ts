import { describe, expect, it } from 'vitest';
import { traceIdOf, traceUrl, traceUrlTemplateProblem, withTraceLink } from './trace-link.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const JAEGER = 'http://localhost:16686/trace/{traceId}';

describe('trace link', () => {
  it('fills the trace id into the template, wherever it appears', () => {
    expect(traceUrl(JAEGER, TRACE_ID)).toBe(`http://localhost:16686/trace/${TRACE_ID}`);
    expect(traceUrl('https://grafana.example/explore?left={traceId}&id={traceId}', TRACE_ID)).toBe(
      `https://grafana.example/explore?left=${TRACE_ID}&id=${TRACE_ID}`,
    );
  });

  it('gives no URL without a template or a well-formed trace id', () => {
    expect(traceUrl(undefined, TRACE_ID)).toBeNull();
    expect(traceUrl(JAEGER, null)).toBeNull();
    expect(traceUrl(JAEGER, '"><script>')).toBeNull();
    expect(traceUrl(JAEGER, TRACE_ID.toUpperCase())).toBeNull();
  });

  it('accepts an http(s) template with the placeholder and names what is wrong with others', () => {
    expect(traceUrlTemplateProblem(JAEGER)).toBeNull();
    expect(traceUrlTemplateProblem('http://localhost:16686/trace/')).toBe('must contain {traceId}');
    expect(traceUrlTemplateProblem('{traceId}')).toBe('must be an absolute URL once {traceId} is filled in');
    expect(traceUrlTemplateProblem('javascript:alert({traceId})')).toBe('must be an http(s) URL');
  });

  it('reads the trace id of a W3C traceparent, and nothing from an invalid one', () => {
    expect(traceIdOf(`00-${TRACE_ID}-00f067aa0ba902b7-01`)).toBe(TRACE_ID);
    expect(traceIdOf(`00-${'0'.repeat(32)}-00f067aa0ba902b7-01`)).toBeNull();
    expect(traceIdOf('not a traceparent')).toBeNull();
    expect(traceIdOf(null)).toBeNull();
  });

  it('adds traceId, and traceUrl with a template, to a document whose metadata holds the trace', () => {
    const document = { workflowId: 'w', metadata: { orderId: 'o', traceId: TRACE_ID } };
    expect(withTraceLink(document, JAEGER)).toEqual({
      ...document,
      traceId: TRACE_ID,
      traceUrl: `http://localhost:16686/trace/${TRACE_ID}`,
    });
    expect(withTraceLink(document, undefined)).toEqual({ ...document, traceId: TRACE_ID });
    const untraced = { workflowId: 'w', metadata: { orderId: 'o' } };
    expect(withTraceLink(untraced, JAEGER)).toBe(untraced);
  });
});
