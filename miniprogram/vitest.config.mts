import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'
import { fileURLToPath } from 'node:url'

// Unit tests cover the pure modules (no uni runtime): api client, platform adapter (with a fake
// `uni`), ext-config/branding resolution, ext.json rendering, formatting, i18n, stores. Pages are
// rendered to HTML with Vue's server renderer (tests/*-pages.test.ts, uni modules mocked).
//
// @vitejs/plugin-vue is the exact version @dcloudio/vite-plugin-uni depends on (pinned in the
// lock file), so the SFCs compile here as they do in the real build.
//
// Test files under `web` get the browser build of the SFCs (render functions, not SSR ones): they
// mount pages with support/mount.ts to tap buttons, and still render HTML with support/render.ts.
const UNI_TAGS = new Set(['view', 'text', 'image', 'navigator', 'scroll-view', 'swiper', 'swiper-item', 'picker', 'icon', 'rich-text'])

export default defineConfig({
  plugins: [vue({ template: { compilerOptions: { isCustomElement: (tag) => UNI_TAGS.has(tag) } } })],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    testTransformMode: { web: ['**/tests/vendors.test.ts'] },
  },
})
