import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The dashboard, built into `dist/renderer` and served by the CAS at `/admin` (see
 * src-main/app/dashboard-static.ts). Paths are relative to the package root, where npm runs.
 * Everything is bundled: no remote assets, no inline scripts (the CSP forbids both).
 */
export default defineConfig({
  root: 'src-renderer',
  base: '/admin/',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 4000,
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:5050' },
  },
});
