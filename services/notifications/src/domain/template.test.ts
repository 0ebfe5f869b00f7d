import { describe, expect, it } from 'vitest';
import {
  MissingVariablesError,
  malformedPlaceholders,
  placeholdersOf,
  render,
  renderMessage,
} from './template.js';

describe('templates', () => {
  it('replaces placeholders, with or without spaces, as often as they appear', () => {
    expect(render('Order {{orderId}} ({{ orderId }}) for {{ name }}', { orderId: 'o-1', name: 'Ada' })).toBe(
      'Order o-1 (o-1) for Ada',
    );
    expect(render('Total {{amount}}', { amount: 12.5 })).toBe('Total 12.5');
  });

  it('names every missing variable', () => {
    expect(() => render('{{a}} {{b}} {{c}}', { b: 'x' })).toThrow(new MissingVariablesError(['a', 'c']));
    try {
      renderMessage({ subject: 'Order {{orderId}}', body: 'Hi {{name}}, {{orderId}}' }, { name: null });
      expect.unreachable();
    } catch (error) {
      expect((error as MissingVariablesError).missing).toEqual(['orderId', 'name']);
    }
  });

  it('lists placeholders and spots malformed ones', () => {
    expect(placeholdersOf('{{a}} {{ b.c }}', null, '{{a}} {{d}}')).toEqual(['a', 'b.c', 'd']);
    expect(malformedPlaceholders('Hi {{name}}')).toEqual([]);
    expect(malformedPlaceholders('Hi {{ }} and {{name')).toHaveLength(3);
    expect(malformedPlaceholders('{{1abc}}')).toHaveLength(2);
  });

  it('keeps a subject-less (SMS) message without a subject', () => {
    expect(renderMessage({ subject: null, body: 'Shipped: {{trackingId}}' }, { trackingId: 'SIM1' })).toEqual(
      {
        subject: null,
        body: 'Shipped: SIM1',
      },
    );
  });
});
