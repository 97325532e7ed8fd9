import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isNavigationAllowed } from './navigation-policy.ts';

const PAGE = 'https://shop.example.com/cart';

test('self allows the page origin and nothing else', () => {
  assert.ok(isNavigationAllowed('/checkout', ['self'], PAGE));
  assert.ok(isNavigationAllowed('https://shop.example.com/x', ['self'], PAGE));
  assert.ok(!isNavigationAllowed('https://evil.test/', ['self'], PAGE));
  assert.ok(!isNavigationAllowed('http://shop.example.com/', ['self'], PAGE), 'scheme is part of the origin');
});

test('exact origins and subdomain wildcards', () => {
  const allowed = ['https://help.example.org', 'https://*.example.com'];
  assert.ok(isNavigationAllowed('https://help.example.org/faq', allowed, PAGE));
  assert.ok(isNavigationAllowed('https://a.b.example.com/', allowed, PAGE));
  assert.ok(!isNavigationAllowed('https://example.com/', allowed, PAGE), 'the wildcard needs a subdomain');
  assert.ok(!isNavigationAllowed('https://example.com.evil.test/', allowed, PAGE));
  assert.ok(!isNavigationAllowed('https://help.example.org:8443/', allowed, PAGE), 'port is part of the origin');
  assert.ok(!isNavigationAllowed('https://help.example.org/path', ['https://help.example.org/path'], PAGE), 'an entry is an origin, not a URL');
});

test('never script or data URLs, and an empty list allows nothing', () => {
  assert.ok(!isNavigationAllowed('javascript:alert(1)', ['self', 'https://*.example.com'], PAGE));
  assert.ok(!isNavigationAllowed('data:text/html,x', ['self'], PAGE));
  assert.ok(!isNavigationAllowed('/checkout', [], PAGE));
});
