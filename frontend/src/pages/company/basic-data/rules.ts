import type { FormItemRule } from 'element-plus'

import { i18n } from '@/locales'
import { idNumberProblem, isChineseMobile } from '@/utils/validators'

/**
 * Client-side rules of the basic-data forms. They mirror the server's checks so most mistakes
 * are caught before a round trip; the server stays the authority and its field errors land
 * under the same form items.
 */

const t = (key: string, values: Record<string, unknown> = {}) => i18n.global.t(key, values)

const AREA = /^\d{1,8}(\.\d{1,2})?$/
const COEFFICIENT = /^\d{1,2}(\.\d{1,4})?$/
const SHARE = /^\d{1,3}(\.\d{1,2})?$/

export const isArea = (value: string) => AREA.test(value.trim()) && Number(value) > 0
export const isCoefficient = (value: string) => COEFFICIENT.test(value.trim()) && Number(value) > 0
export const isShare = (value: string) =>
  SHARE.test(value.trim()) && Number(value) >= 0 && Number(value) <= 100

type Check = (value: string) => string | null

function rule(check: Check, trigger: string | string[] = 'blur'): FormItemRule {
  return {
    trigger,
    validator: (_rule, value: unknown, callback) => {
      const problem = check(value === null || value === undefined ? '' : String(value))
      if (problem) callback(new Error(problem))
      else callback()
    },
  }
}

export function required(field: string, trigger: string | string[] = 'blur'): FormItemRule {
  return { required: true, trigger, message: t('validation.required', { field }) }
}

export const areaRule = (): FormItemRule =>
  rule((v) => (v === '' || isArea(v) ? null : t('basicData.house.areaInvalid')))

/** The usable area must not exceed the building area read from `buildingArea()`. */
export const usableAreaRule = (buildingArea: () => string): FormItemRule =>
  rule((v) => {
    if (v === '') return null
    if (!isArea(v)) return t('basicData.house.areaInvalid')
    const total = buildingArea()
    return isArea(total) && Number(v) > Number(total) ? t('basicData.house.usableTooLarge') : null
  })

export const coefficientRule = (): FormItemRule =>
  rule((v) => (v === '' || isCoefficient(v) ? null : t('basicData.house.feeCoefficientInvalid')))

export const shareRule = (): FormItemRule =>
  rule((v) => (v === '' || isShare(v) ? null : t('basicData.housePage.shareInvalid')))

/** A floor within the building's floors (`floors()` is undefined while no building is known). */
export const floorRule = (floors: () => number | undefined): FormItemRule =>
  rule((v) => {
    if (v === '') return null
    if (!/^-?\d+$/.test(v.trim())) return t('basicData.house.floorInvalid')
    const max = floors()
    return max !== undefined && Number(v) > max
      ? t('basicData.house.floorTooHigh', { n: max })
      : null
  })

export const mobileRule = (): FormItemRule =>
  rule((v) => (v.trim() === '' || isChineseMobile(v.trim()) ? null : t('validation.mobile')))

const ID_PROBLEMS = {
  format: 'basicData.resident.idNumberFormat',
  birthdate: 'basicData.resident.idNumberBirthdate',
  checksum: 'basicData.resident.idNumberChecksum',
} as const

export const idNumberRule = (): FormItemRule =>
  rule((v) => {
    if (v.trim() === '') return null
    const problem = idNumberProblem(v)
    return problem ? t(ID_PROBLEMS[problem]) : null
  })

/**
 * A document number for the chosen type: an ID card's 18 characters checked here (a 15-digit
 * first-generation number, and every other document, are checked by the server, which says why).
 */
export const documentNumberRule = (type: () => string): FormItemRule =>
  rule((v) => {
    const value = v.trim()
    if (value === '' || !['', 'id_card'].includes(type())) return null
    if (/^\d{15}$/.test(value) || (type() === '' && !/^\d{17}[\dXx]$/.test(value))) return null
    const problem = idNumberProblem(value)
    return problem ? t(ID_PROBLEMS[problem]) : null
  })

/** A mainland mobile, or a landline with its area code (010-12345678); the server normalises it. */
export const phoneRule = (): FormItemRule =>
  rule((v) => {
    const value = v.trim()
    if (value === '' || isChineseMobile(value)) return null
    const digits = value.replace(/[\s\-()（）]/g, '').replace(/^(\+86|0086|86)(?=1)/, '')
    if (isChineseMobile(digits) || /^0\d{2,3}\d{7,8}((转|ext\.?|x|#)\d{1,6})?$/i.test(digits)) return null
    return t('validation.mobile')
  })
