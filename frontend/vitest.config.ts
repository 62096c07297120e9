import { defineConfig, mergeConfig } from 'vitest/config'

import viteConfig from './vite.config'

export default defineConfig((env) =>
  mergeConfig(viteConfig(env), {
    test: {
      environment: 'jsdom',
      include: ['src/**/*.spec.ts'],
      setupFiles: ['src/test/setup.ts'],
      restoreMocks: true,
      server: {
        deps: {
          // Element Plus ships per-component CSS imports that Vitest must transform.
          inline: ['element-plus'],
        },
      },
    },
  }),
)
