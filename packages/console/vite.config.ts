import { defineConfig } from 'vite';
import { subresourceIntegrity } from './sri-plugin.ts';

// The server serves dist/ at /console/ (SPA fallback to index.html). In `vite dev`, the API
// and the socket are proxied to a running Samepage server.
const server = process.env.SAMEPAGE_SERVER ?? 'http://localhost:3000';

export default defineConfig({
  base: '/console/',
  // integrity= on the entry assets and dist/integrity.json (docs/SECURITY.md, "Code delivery").
  plugins: [subresourceIntegrity()],
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The console runs under CSP script-src 'self': no inline scripts, no eval.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: true,
  },
  server: {
    proxy: {
      '/api': server,
      '/ws': { target: server.replace(/^http/, 'ws'), ws: true },
    },
  },
});
