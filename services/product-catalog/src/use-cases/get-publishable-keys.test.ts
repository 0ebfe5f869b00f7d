import { describe, expect, it } from 'vitest';
import { publishableKeyNotFound } from './get-publishable-keys.js';

describe('publishable keys', () => {
  it('answers an unknown key with 404, naming it', () => {
    expect(publishableKeyNotFound('k-1')).toMatchObject({
      code: 'NOT_FOUND',
      status: 404,
      message: 'Publishable key k-1 does not exist',
      details: { publishableKeyId: 'k-1' },
    });
  });
});
