import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `npm run dev` serves the SPA with hot reload and proxies the API (started by the same script) on :3000.
const api = process.env.FIRSTLIGHT_API_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: {
    proxy: Object.fromEntries(
      ['/api', '/auth', '/healthz', '/readyz', '/metrics'].map((path) => [path, api]).concat([['/ws', api]]),
    ),
  },
});
