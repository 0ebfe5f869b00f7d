import { describe, expect, it } from 'vitest';
import { childTraceContext, formatTraceparent, parseTraceparent } from './trace-context.js';

describe('W3C trace context', () => {
  const header = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

  it('reads and writes a traceparent', () => {
    const context = parseTraceparent(header);
    expect(context).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      sampled: true,
    });
    expect(formatTraceparent(context!)).toBe(header);
  });

  it('refuses malformed or all-zero ids', () => {
    expect(parseTraceparent('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBeNull();
    expect(parseTraceparent(`00-${'0'.repeat(32)}-00f067aa0ba902b7-01`)).toBeNull();
    expect(parseTraceparent(`00-4bf92f3577b34da6a3ce929d0e0e4736-${'0'.repeat(16)}-01`)).toBeNull();
    expect(parseTraceparent('garbage')).toBeNull();
    expect(parseTraceparent(undefined)).toBeNull();
  });

  it('continues a trace with a new span, or starts one', () => {
    const parent = parseTraceparent(header)!;
    const child = childTraceContext(parent);
    expect(child.traceId).toBe(parent.traceId);
    expect(child.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(child.spanId).not.toBe(parent.spanId);
    const root = childTraceContext(null);
    expect(root.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(root.sampled).toBe(true);
  });
});
