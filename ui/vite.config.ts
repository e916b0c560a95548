// Vite and Vitest configuration for the UI the desktop shell loads.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [react()],
  // Tauri shows its own error overlay for Rust panics; Vite must not clear them from the terminal.
  clearScreen: false,
  server: {
    // tauri.conf.json's devUrl points here; a taken port must fail loudly, not silently move.
    port: 1420,
    strictPort: true,
  },
  build: {
    outDir: 'dist',
    // WebKitGTK 2.40+ (Debian 12), WebView2 and macOS 12+ Safari all support ES2021.
    target: 'es2021',
  },
  test: {
    environment: 'jsdom',
    include: ['tests/**/*.test.{ts,tsx}'],
    setupFiles: ['tests/setup.ts'],
    // The Tauri plugins' JS calls `invoke` from @tauri-apps/api; inlining them lets the tests' mock
    // of that module answer their commands too (e.g. the clipboard's `write_text`).
    server: { deps: { inline: [/@tauri-apps\/plugin-/] } },
    restoreMocks: true,
  },
});
