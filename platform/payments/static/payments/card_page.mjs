/**
 * The owner's card page (payments.api.card_page): mount Stripe's Payment Element on the order's
 * PaymentIntent, confirm it, and go back to the app. The page only collects the card: the order is
 * settled on the server by Stripe's verified webhook or a query of the PaymentIntent, never by what
 * this page reports. Served as a static module so the page's Content-Security-Policy needs no inline
 * script; its data comes from the page's data- attributes (Django escapes them).
 *
 * Tests: node --test tests/payments/js/
 */

const PUBLISHABLE_KEY = /^pk_(live|test)_[A-Za-z0-9]+$/
const CLIENT_SECRET = /^pi_[A-Za-z0-9]+_secret_[A-Za-z0-9]+$/
// Stripe's own messages for these are written for the payer (and in the page's locale).
const SHOWN_ERRORS = new Set(['card_error', 'validation_error'])
// The PaymentIntent left the payer's hands: the server learns the end from Stripe.
const DONE = new Set(['succeeded', 'processing', 'requires_capture'])

/** The page's settings from its data- attributes, or null when they cannot drive a payment. */
export function readConfig(dataset) {
  const config = {
    publishableKey: dataset.publishableKey || '',
    clientSecret: dataset.clientSecret || '',
    returnUrl: dataset.returnUrl || '',
    locale: dataset.locale === 'en' ? 'en' : 'zh',
    messages: {
      failed: dataset.msgFailed || '',
      unavailable: dataset.msgUnavailable || '',
      processing: dataset.msgProcessing || '',
    },
  }
  const usable =
    PUBLISHABLE_KEY.test(config.publishableKey) &&
    CLIENT_SECRET.test(config.clientSecret) &&
    /^https?:\/\/[^/\\]/.test(config.returnUrl)
  return usable ? config : null
}

/** What confirmPayment's answer means: go back to the app, or stay with a message and let the payer retry. */
export function outcome(result, messages) {
  const error = result && result.error
  if (error) {
    const message = SHOWN_ERRORS.has(error.type) && error.message ? error.message : messages.failed
    return { kind: 'retry', message }
  }
  const status = result && result.paymentIntent && result.paymentIntent.status
  return DONE.has(status) ? { kind: 'return' } : { kind: 'retry', message: messages.failed }
}

/**
 * Mount and wire the form inside `root` (the page's <main>). `Stripe` is Stripe.js's constructor
 * (undefined when it failed to load), `location` where the payer goes back. Returns the handlers
 * (for tests), or null when no payment can be taken here.
 */
export function start({ root, Stripe, location }) {
  const form = root.querySelector('#card-form')
  const button = root.querySelector('#card-submit')
  const note = root.querySelector('#card-message')
  const say = (text) => {
    if (note) note.textContent = text
  }
  const config = readConfig(root.dataset)
  if (!config || typeof Stripe !== 'function' || !form || !button) {
    say(root.dataset.msgUnavailable || '')
    return null
  }
  const stripe = Stripe(config.publishableKey, { locale: config.locale })
  const elements = stripe.elements({ clientSecret: config.clientSecret, locale: config.locale })
  const payment = elements.create('payment', { layout: 'tabs' })
  payment.on('ready', () => {
    button.disabled = false
  })
  payment.on('loaderror', () => say(config.messages.unavailable))
  payment.mount(root.querySelector('#payment-element'))

  let busy = false
  async function submit(event) {
    if (event) event.preventDefault()
    if (busy) return { kind: 'busy' }
    busy = true
    button.disabled = true
    say(config.messages.processing)
    let result
    try {
      // Cards confirm here (3-D Secure in Stripe's own frame); a method that must leave the page
      // comes back to the app's return_url, like a finished payment.
      result = await stripe.confirmPayment({
        elements,
        confirmParams: { return_url: config.returnUrl },
        redirect: 'if_required',
      })
    } catch {
      result = { error: { type: 'api_connection_error' } }
    }
    const next = outcome(result, config.messages)
    if (next.kind === 'return') {
      location.assign(config.returnUrl)
      return next
    }
    say(next.message)
    busy = false
    button.disabled = false
    return next
  }
  form.addEventListener('submit', submit)
  return { submit }
}

if (typeof document !== 'undefined') {
  const root = document.getElementById('card-page')
  if (root && root.dataset.state === 'payable') {
    start({ root, Stripe: globalThis.Stripe, location: globalThis.location })
  }
}
