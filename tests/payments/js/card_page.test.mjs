// The card page's logic (platform/payments/static/payments/card_page.mjs) against a fake Stripe.js.
// Run: node --test tests/payments/js/
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { outcome, readConfig, start } from '../../../platform/payments/static/payments/card_page.mjs'

const MESSAGES = { msgFailed: 'failed', msgUnavailable: 'unavailable', msgProcessing: 'processing' }
const DATASET = {
  publishableKey: 'pk_live_abc123',
  clientSecret: 'pi_3Abc_secret_XyZ9',
  returnUrl: 'https://alpha.example.com/h5/#/pages/pay/result?id=7',
  locale: 'zh',
  state: 'payable',
  ...MESSAGES,
}

function fakePage(dataset = DATASET) {
  const listeners = {}
  const button = { disabled: true }
  const note = { textContent: '' }
  const form = { addEventListener: (name, fn) => (listeners[name] = fn) }
  const nodes = { '#card-form': form, '#card-submit': button, '#card-message': note, '#payment-element': { id: 'el' } }
  return { root: { dataset, querySelector: (sel) => nodes[sel] ?? null }, button, note, listeners }
}

function fakeStripe(answers) {
  const calls = { created: [], confirmed: [], mounted: null, handlers: {} }
  function Stripe(key, options) {
    calls.key = key
    calls.options = options
    return {
      elements(opts) {
        calls.elements = opts
        return {
          create(kind, opts2) {
            calls.created.push([kind, opts2])
            return { on: (name, fn) => (calls.handlers[name] = fn), mount: (node) => (calls.mounted = node) }
          },
        }
      },
      async confirmPayment(params) {
        calls.confirmed.push(params)
        const answer = answers.shift()
        if (answer instanceof Error) throw answer
        return answer
      },
    }
  }
  return { Stripe, calls }
}

test('readConfig takes only a usable key, client secret and absolute return url', () => {
  assert.equal(readConfig(DATASET).publishableKey, 'pk_live_abc123')
  assert.equal(readConfig({ ...DATASET, locale: 'en' }).locale, 'en')
  assert.equal(readConfig({ ...DATASET, locale: 'fr' }).locale, 'zh')
  assert.equal(readConfig({ ...DATASET, publishableKey: 'sk_live_abc123' }), null)
  assert.equal(readConfig({ ...DATASET, publishableKey: '' }), null)
  assert.equal(readConfig({ ...DATASET, clientSecret: 'pi_3Abc' }), null)
  assert.equal(readConfig({ ...DATASET, returnUrl: '/h5/' }), null)
  assert.equal(readConfig({ ...DATASET, returnUrl: 'javascript:alert(1)' }), null)
})

test('outcome: paid or processing goes back; card errors show Stripe\'s message; others a generic one', () => {
  const m = { failed: 'failed' }
  assert.deepEqual(outcome({ paymentIntent: { status: 'succeeded' } }, m), { kind: 'return' })
  assert.deepEqual(outcome({ paymentIntent: { status: 'processing' } }, m), { kind: 'return' })
  assert.deepEqual(outcome({ error: { type: 'card_error', message: 'Your card was declined.' } }, m), {
    kind: 'retry',
    message: 'Your card was declined.',
  })
  assert.deepEqual(outcome({ error: { type: 'api_error', message: 'internal detail' } }, m), {
    kind: 'retry',
    message: 'failed',
  })
  assert.deepEqual(outcome({ paymentIntent: { status: 'requires_payment_method' } }, m), {
    kind: 'retry',
    message: 'failed',
  })
  assert.deepEqual(outcome(undefined, m), { kind: 'retry', message: 'failed' })
})

test('start mounts the Payment Element on the client secret and enables paying once it is ready', () => {
  const page = fakePage()
  const { Stripe, calls } = fakeStripe([])
  start({ root: page.root, Stripe, location: { assign() {} } })
  assert.equal(calls.key, 'pk_live_abc123')
  assert.deepEqual(calls.options, { locale: 'zh' })
  assert.equal(calls.elements.clientSecret, 'pi_3Abc_secret_XyZ9')
  assert.equal(calls.created[0][0], 'payment')
  assert.deepEqual(calls.mounted, { id: 'el' })
  assert.equal(page.button.disabled, true)
  calls.handlers.ready()
  assert.equal(page.button.disabled, false)
  calls.handlers.loaderror()
  assert.equal(page.note.textContent, 'unavailable')
})

test('a declined card stays on the page with the message; a paid one goes back to the app', async () => {
  const page = fakePage()
  const went = []
  const { Stripe, calls } = fakeStripe([
    { error: { type: 'card_error', message: 'Your card was declined.' } },
    { paymentIntent: { status: 'succeeded' } },
  ])
  const handlers = start({ root: page.root, Stripe, location: { assign: (url) => went.push(url) } })
  let prevented = 0
  const event = { preventDefault: () => prevented++ }
  assert.deepEqual(await page.listeners.submit(event), { kind: 'retry', message: 'Your card was declined.' })
  assert.equal(page.note.textContent, 'Your card was declined.')
  assert.equal(page.button.disabled, false)
  assert.deepEqual(went, [])
  assert.deepEqual(await handlers.submit(event), { kind: 'return' })
  assert.deepEqual(went, [DATASET.returnUrl])
  assert.equal(prevented, 2)
  assert.equal(calls.confirmed.length, 2)
  assert.equal(calls.confirmed[1].redirect, 'if_required')
  assert.deepEqual(calls.confirmed[1].confirmParams, { return_url: DATASET.returnUrl })
})

test('a second submit while confirming is ignored; a network failure lets the payer retry', async () => {
  const page = fakePage()
  let release
  const pending = new Promise((resolve) => (release = resolve))
  const { Stripe, calls } = fakeStripe([pending, new Error('offline')])
  const handlers = start({ root: page.root, Stripe, location: { assign() {} } })
  const first = handlers.submit()
  assert.equal(page.note.textContent, 'processing')
  assert.deepEqual(await handlers.submit(), { kind: 'busy' })
  release({ paymentIntent: { status: 'requires_payment_method' } })
  assert.deepEqual(await first, { kind: 'retry', message: 'failed' })
  assert.deepEqual(await handlers.submit(), { kind: 'retry', message: 'failed' })
  assert.equal(calls.confirmed.length, 2)
})

test('without Stripe.js or with unusable data nothing is mounted and the payer is told', () => {
  const page = fakePage()
  assert.equal(start({ root: page.root, Stripe: undefined, location: {} }), null)
  assert.equal(page.note.textContent, 'unavailable')
  const bad = fakePage({ ...DATASET, clientSecret: '' })
  const { Stripe, calls } = fakeStripe([])
  assert.equal(start({ root: bad.root, Stripe, location: {} }), null)
  assert.equal(calls.key, undefined)
})
