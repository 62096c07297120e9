import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, URL } from 'node:url'
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib'

import vue from '@vitejs/plugin-vue'
import AutoImport from 'unplugin-auto-import/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'
import type { ComponentResolver } from 'unplugin-vue-components/types'
import Components from 'unplugin-vue-components/vite'
import { defineConfig, type Plugin } from 'vite'

/**
 * ElementPlusResolver imports every component from the `element-plus/es` barrel. Rollup keeps
 * that barrel's whole dependency graph once Element Plus sits in a manual chunk (about 330 KB
 * gzip), so point each import at the component's own entry instead: `ElTableColumn` →
 * `element-plus/es/components/table/index.mjs`.
 */
function elementPlusOnDemand(): ComponentResolver[] {
  const require = createRequire(import.meta.url)
  const root = join(dirname(require.resolve('element-plus/package.json')), 'es', 'components')
  const owner = new Map<string, string>()
  for (const dir of readdirSync(root)) {
    let source: string
    try {
      source = readFileSync(join(root, dir, 'index.mjs'), 'utf8')
    } catch {
      continue
    }
    for (const block of source.matchAll(/export\s*\{([^}]*)\}/g)) {
      for (const spec of block[1].split(',')) {
        const name = spec
          .trim()
          .split(/\s+as\s+/)
          .pop()
        if (name && !owner.has(name)) owner.set(name, `element-plus/es/components/${dir}/index.mjs`)
      }
    }
  }
  return ElementPlusResolver().map((resolver) => {
    if (typeof resolver === 'function') return resolver
    return {
      ...resolver,
      async resolve(name: string) {
        const result = await resolver.resolve(name)
        if (result && typeof result === 'object' && result.from === 'element-plus/es') {
          const from = owner.get(result.name ?? name)
          if (from) return { ...result, from }
        }
        return result
      },
    }
  })
}

const elementPlus = elementPlusOnDemand()

/**
 * Writes `<file>.gz` and `<file>.br` next to each built asset. WhiteNoise serves those variants
 * to browsers that accept them, but only when they exist on disk: it does not compress on the fly,
 * and serving straight from dist/ (WHITENOISE_USE_FINDERS, no collectstatic) would otherwise send
 * the JS uncompressed (about 600 KB instead of 210 KB for the login page).
 */
function precompress(): Plugin {
  let outDir = 'dist'
  return {
    name: 'wuye-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir
    },
    writeBundle(_options, bundle) {
      for (const name of Object.keys(bundle)) {
        if (!/^assets\/.+\.(js|css|svg|json)$/.test(name)) continue
        const path = join(outDir, name)
        const data = readFileSync(path)
        if (data.length < 1024) continue
        writeFileSync(`${path}.gz`, gzipSync(data, { level: 9 }))
        writeFileSync(
          `${path}.br`,
          brotliCompressSync(data, {
            params: {
              [zlib.BROTLI_PARAM_QUALITY]: 10,
              [zlib.BROTLI_PARAM_SIZE_HINT]: data.length,
            },
          }),
        )
      }
    },
  }
}

const backend = 'http://127.0.0.1:8000'
// The Host header picks the company on the backend, so it must reach Django unchanged.
const proxied = { target: backend, changeOrigin: false }

export default defineConfig(({ command }) => ({
  // Django serves the built files under /static/frontend/; the dev server serves the app at /
  // so that http://demo.localhost:5173/ works with the router's history base '/'.
  base: command === 'build' ? '/static/frontend/' : '/',
  plugins: [
    vue(),
    AutoImport({
      resolvers: elementPlus,
      dts: 'src/auto-imports.d.ts',
    }),
    Components({
      resolvers: elementPlus,
      dts: 'src/components.d.ts',
      // Our own components are imported explicitly; only Element Plus is resolved.
      dirs: [],
    }),
    precompress(),
  ],
  resolve: {
    alias: {
      '@': fileURLToPath(new URL('./src', import.meta.url)),
    },
  },
  define: {
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
  },
  server: {
    port: 5173,
    strictPort: true,
    // demo.localhost:5173 must be accepted so the company is chosen by host.
    host: '127.0.0.1',
    allowedHosts: ['.localhost'],
    proxy: {
      '/api': proxied,
      '/media': proxied,
      '/healthz': proxied,
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    manifest: true,
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      output: {
        manualChunks(id) {
          if (!id.includes('node_modules')) return undefined
          if (/[\\/]node_modules[\\/](echarts|zrender)[\\/]/.test(id)) return 'echarts'
          // Element Plus's components stay with the pages that use them (a tree, a cascader or an
          // upload must not weigh on the login page); only what every page shares is one chunk.
          if (/[\\/]node_modules[\\/]element-plus[\\/]es[\\/]components[\\/]/.test(id))
            return undefined
          if (/[\\/]node_modules[\\/](element-plus|@element-plus)[\\/]/.test(id))
            return 'element-plus'
          return undefined
        },
      },
    },
  },
}))
