#!/usr/bin/env node
// Render src/ext.json for one company from its site API, the first step of publishing the one
// mini-program template to many companies through WeChat's third-party platform.
//
//   npm run render-ext -- --slug demo --api http://demo.localhost:8000 --appid wx123 [--out src/ext.json]
//
// `*.localhost` names do not resolve on every machine, so they are connected to 127.0.0.1 with
// the original Host header (the backend picks the company from the Host).
import http from 'node:http'
import https from 'node:https'
import { writeFileSync, mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { parseArgs, renderExtJson } from './lib/ext-render.mjs'

/** @param {string} url @returns {Promise<unknown>} */
function getJson(url) {
  const u = new URL(url)
  const mod = u.protocol === 'https:' ? https : http
  /** @type {import('node:net').LookupFunction} */
  const lookup = (hostname, options, cb) => {
    if (hostname === 'localhost' || hostname.endsWith('.localhost')) {
      if (options && options.all) /** @type {any} */ (cb)(null, [{ address: '127.0.0.1', family: 4 }])
      else cb(null, '127.0.0.1', 4)
      return
    }
    import('node:dns').then((dns) => dns.lookup(hostname, options, /** @type {any} */ (cb)))
  }
  return new Promise((resolvePromise, reject) => {
    const req = mod.get(u, { lookup, headers: { Accept: 'application/json' }, timeout: 15000 }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk) => (body += chunk))
      res.on('end', () => {
        if (!res.statusCode || res.statusCode >= 400) {
          reject(new Error(`GET ${url} → HTTP ${res.statusCode}: ${body.slice(0, 300)}`))
          return
        }
        try {
          resolvePromise(JSON.parse(body))
        } catch {
          reject(new Error(`GET ${url} did not return JSON: ${body.slice(0, 300)}`))
        }
      })
    })
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)))
    req.on('error', reject)
  })
}

async function main() {
  const args = parseArgs(process.argv.slice(2))
  if (!args.slug || !args.api || !args.appid) {
    throw new Error('usage: npm run render-ext -- --slug <slug> --api <https://slug.base.domain> --appid <wx…> [--out src/ext.json]')
  }
  const api = args.api.replace(/\/+$/, '')
  const site = /** @type {import('./lib/ext-render.mjs').SitePayload} */ (await getJson(`${api}/api/v1/site/`))
  const ext = renderExtJson(site, { slug: args.slug, api, appid: args.appid })
  const out = resolve(process.cwd(), args.out)
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, `${JSON.stringify(ext, null, 2)}\n`)
  console.log(`wrote ${out} for ${ext.ext.name} (${ext.ext.company}, appid ${ext.extAppid})`)
}

main().catch((err) => {
  console.error(`render-ext: ${err instanceof Error ? err.message : err}`)
  process.exit(1)
})
