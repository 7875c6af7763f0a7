import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { VerifiedPayloadCache } from '../src/tokens/verified-payload-cache.js';

describe('VerifiedPayloadCache', () => {
  it('drops the oldest entry when full', () => {
    const cache = new VerifiedPayloadCache(2, 100);
    cache.set('a', { n: 1 });
    cache.set('b', { n: 2 });
    cache.set('c', { n: 3 });

    assert.equal(cache.get('a'), undefined);
    assert.deepEqual(cache.get('b'), { n: 2 });
    assert.deepEqual(cache.get('c'), { n: 3 });
  });

  it('keeps no token over the length limit', () => {
    const cache = new VerifiedPayloadCache(2, 3);
    cache.set('abcd', { n: 1 });
    assert.equal(cache.get('abcd'), undefined);
  });

  it('matches only the identical token', () => {
    const cache = new VerifiedPayloadCache(2, 100);
    cache.set('header.payload.signature', { n: 1 });
    assert.equal(cache.get('header.payload.signaturf'), undefined);
    assert.equal(cache.get('header.payload.signature '), undefined);
  });
});
