import { defineConfig, mergeConfig } from 'vitest/config'

import viteConfig from './vite.config'

export default defineConfig((env) =>
  mergeConfig(viteConfig(env), {
    test: {
      environment: 'jsdom',
      include: ['src/**/*.spec.ts'],
      setupFiles: ['src/test/setup.ts'],
      restoreMocks: true,
      // Page tests mount Element Plus; on a busy 2-core machine 5 s (the default) is not enough.
      testTimeout: 20000,
      server: {
        deps: {
          // Element Plus ships per-component CSS imports that Vitest must transform.
          inline: ['element-plus'],
        },
      },
    },
  }),
)
