import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listCssUrls, rewriteCssUrls } from './css-urls.ts';

test('every form of url() and @import is found, with font faces told apart', () => {
  const css = `@import "base.css"; @import url(print.css) print;
    @font-face { font-family: X; src: url('/f.woff2') format("woff2"), url(/f.woff) }
    body { background: url( "a b.png" ) , URL(c.png); }`;
  assert.deepEqual(listCssUrls(css), [
    { url: '/f.woff2', context: 'font' },
    { url: '/f.woff', context: 'font' },
    { url: 'base.css', context: 'import' },
    { url: 'print.css', context: 'other' },
    { url: 'a b.png', context: 'other' },
    { url: 'c.png', context: 'other' },
  ]);
});

test('rewriting quotes the new URL safely and leaves everything else alone', () => {
  const out = rewriteCssUrls('a{color:red;background:url(x.png)} b{background:url(data:image/png;base64,AA==)}', (url) => (url.startsWith('data:') ? null : `/p?u="${url}"`));
  assert.equal(out, 'a{color:red;background:url("/p?u=\\"x.png\\"")} b{background:url(data:image/png;base64,AA==)}');
  assert.equal(rewriteCssUrls('p{margin:0}', () => 'never'), 'p{margin:0}');
});
