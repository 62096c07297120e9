import { defineStore } from 'pinia'
import { computed, ref } from 'vue'

import { siteApi } from '@/api'
import type { Branding, Site } from '@/api/types'
import { applyPrimaryColor } from '@/utils/theme'

export const useSiteStore = defineStore('site', () => {
  const site = ref<Site | null>(null)
  const loadError = ref(false)
  const pageTitle = ref('')

  const surface = computed(() => site.value?.surface ?? null)
  const company = computed(() => (site.value?.surface === 'company' ? site.value.company : null))
  const branding = computed(() => company.value?.branding ?? null)
  const displayName = computed(() => branding.value?.display_name || company.value?.name || '')
  const baseDomain = computed(() =>
    site.value?.surface === 'public' ? site.value.base_domain : '',
  )

  async function load(): Promise<Site | null> {
    try {
      site.value = await siteApi.get()
      loadError.value = false
      if (branding.value) applyBranding(branding.value)
    } catch {
      loadError.value = true
    }
    updateDocumentTitle()
    return site.value
  }

  function updateDocumentTitle() {
    const suffix = displayName.value
    document.title = [pageTitle.value, suffix].filter(Boolean).join(' - ') || document.title
  }

  function setPageTitle(title: string) {
    pageTitle.value = title
    updateDocumentTitle()
  }

  function applyBranding(next: Branding) {
    applyPrimaryColor(next.primary_color)
  }

  /** Store and apply a branding object returned by the API (name, colour, logo, title). */
  function setBranding(next: Branding) {
    if (site.value?.surface === 'company') {
      site.value = { ...site.value, company: { ...site.value.company, branding: next } }
    }
    applyBranding(next)
    updateDocumentTitle()
  }

  return {
    site,
    loadError,
    surface,
    company,
    branding,
    displayName,
    baseDomain,
    load,
    setBranding,
    setPageTitle,
  }
})
