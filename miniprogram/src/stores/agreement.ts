/**
 * 用户协议 / 隐私政策 of the company, as the agreement page shows them (open before login), over an
 * API client passed in (the page shares the instance in stores/session.ts; tests use a scripted backend).
 */
import { computed, reactive } from 'vue'
import { ApiError } from '@/api/client'
import type { ApiClient } from '@/api/client'
import { t } from '@/i18n'
import { parseAgreement, type AgreementKind } from '@/utils/agreement'

export type AgreementApi = Pick<ApiClient, 'agreement'>

export function createAgreementStore(api: AgreementApi) {
  const state = reactive({
    kind: 'user_agreement' as AgreementKind,
    status: 'idle' as 'idle' | 'loading' | 'ready' | 'error',
    error: '',
    title: '',
    text: '',
  })
  const blocks = computed(() => parseAgreement(state.text))

  /** Load one text; the answer is in the language of the request (Accept-Language). */
  async function load(kind: AgreementKind = state.kind): Promise<void> {
    if (kind !== state.kind) {
      state.text = ''
      state.title = ''
    }
    state.kind = kind
    state.status = 'loading'
    state.error = ''
    try {
      const answer = await api.agreement(kind)
      if (state.kind !== kind) return
      state.title = answer.title
      state.text = answer.text
      state.status = 'ready'
    } catch (e) {
      state.error = e instanceof ApiError ? e.message : t('errors.generic')
      state.status = 'error'
    }
  }

  function reset(): void {
    Object.assign(state, { kind: 'user_agreement', status: 'idle', error: '', title: '', text: '' })
  }

  return { state, blocks, load, reset }
}
