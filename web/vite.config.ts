// The explorer's build: static files under web/dist, served by services/api at /explorer/ (WEB_DIST).
// Preact's JSX through Vite's own transformer (no Babel plugin needed for a few components).
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/explorer/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, target: 'es2022' },
  server: {
    // `npm run dev -w @llmpt/web` beside `npm run serve`: the dev server forwards the API.
    proxy: { '/v1': 'http://127.0.0.1:8080' },
  },
});
