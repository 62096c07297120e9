import { createPinia } from 'pinia'
import { createApp } from 'vue'

import { configureHttp } from '@/api/http'
import App from '@/App.vue'
import { i18n, setLocale } from '@/locales'
import { createAppRouter } from '@/router'
import { useAuthStore } from '@/stores/auth'
import { useSiteStore } from '@/stores/site'
import { errorMessage, toast } from '@/utils/message'

import './styles.css'

async function bootstrap() {
  const app = createApp(App)
  const pinia = createPinia()
  app.use(pinia).use(i18n)
  setLocale(i18n.global.locale.value)

  const site = useSiteStore(pinia)
  const loaded = await site.load()
  if (loaded) {
    const router = createAppRouter(loaded.surface)
    const auth = useAuthStore(pinia)
    configureHttp({
      onUnauthorized() {
        auth.clear()
        const current = router.currentRoute.value
        if (current.name !== 'login') {
          void router.push({ name: 'login', query: { next: current.fullPath } })
        }
      },
      onForbidden(error) {
        if (error.code === 'password_change_required') {
          if (auth.me) auth.me.must_change_password = true
          void router.push({ name: 'change-password' })
          return
        }
        toast.error(errorMessage(error))
      },
      onSuspended(error) {
        if (router.currentRoute.value.name !== 'suspended') {
          void router.push({ name: 'suspended', query: { reason: error.code } })
        }
      },
    })
    app.use(router)
    await router.isReady().catch(() => undefined)
  }
  app.mount('#app')
}

void bootstrap()
