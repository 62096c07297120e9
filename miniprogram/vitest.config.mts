import { defineConfig } from 'vitest/config'
import { fileURLToPath } from 'node:url'

// Unit tests cover the pure modules only (no uni runtime): api client, platform adapter
// (with a fake `uni`), ext-config/branding resolution, ext.json rendering, formatting, i18n.
export default defineConfig({
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  test: { include: ['tests/**/*.test.ts'], environment: 'node' },
})
