import { defineConfig } from 'vite'
import uni from '@dcloudio/vite-plugin-uni'

/**
 * `npm run dev:h5` serves the H5 app on its own port; API calls are relative (`/api/...`),
 * so they are proxied to the Django backend. WUYE_API_PROXY names the company host to act as
 * (default http://demo.localhost:8000). `*.localhost` does not resolve on every machine, so the
 * proxy connects to 127.0.0.1 and sends the company host as the Host header.
 */
const apiProxy = process.env.WUYE_API_PROXY || 'http://demo.localhost:8000'
const proxyUrl = new URL(apiProxy)
const connectHost = proxyUrl.hostname.endsWith('.localhost') ? '127.0.0.1' : proxyUrl.hostname

export default defineConfig({
  plugins: [uni()],
  server: {
    proxy: {
      '/api': {
        target: `${proxyUrl.protocol}//${connectHost}:${proxyUrl.port || (proxyUrl.protocol === 'https:' ? 443 : 80)}`,
        changeOrigin: false,
        headers: { Host: proxyUrl.host },
      },
    },
  },
})
