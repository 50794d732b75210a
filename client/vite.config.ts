// The UI's build (served by the Express server from client/dist) and its dev server, which proxies the
// API to a running `meshscope` so `npx vite client` gives hot reload against a live mesh.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const api = process.env.MESHSCOPE_URL ?? 'http://127.0.0.1:20001';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 2000 },
  server: {
    proxy: { '/api': { target: api, changeOrigin: true }, '/healthz': api, '/readyz': api, '/metrics': api },
  },
});
