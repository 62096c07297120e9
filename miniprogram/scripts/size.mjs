#!/usr/bin/env node
// Print the gzip size of the H5 build's initial JS: every script and modulepreload that
// dist/build/h5/index.html loads up front, plus their static imports. Fails above the budget.
import { readFileSync, existsSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { join, dirname, normalize } from 'node:path'

const BUDGET = 200 * 1024
const root = 'dist/build/h5'
const indexPath = join(root, 'index.html')
if (!existsSync(indexPath)) {
  console.error(`size: ${indexPath} not found; run npm run build:h5 first`)
  process.exit(1)
}
const html = readFileSync(indexPath, 'utf8')
/** @type {string[]} */
const entries = []
for (const m of html.matchAll(/<script[^>]*\ssrc="([^"]+\.js)"/g)) entries.push(m[1])
for (const m of html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+\.js)"/g)) entries.push(m[1])

/** @type {Set<string>} */
const seen = new Set()
/** @param {string} file */
function visit(file) {
  if (seen.has(file) || !existsSync(file)) return
  seen.add(file)
  const code = readFileSync(file, 'utf8')
  // static imports between chunks: import{…}from"./x.js" / import"./x.js"
  for (const m of code.matchAll(/(?:^|[;\s}])import\s*(?:[^'"()]*?from\s*)?["'](\.{1,2}\/[^"']+\.js)["']/g)) {
    visit(normalize(join(dirname(file), m[1])))
  }
}
for (const src of entries) visit(normalize(join(root, src.replace(/^\.?\//, ''))))

let raw = 0
let gz = 0
const rows = []
for (const file of seen) {
  const buf = readFileSync(file)
  const g = gzipSync(buf, { level: 9 }).length
  raw += buf.length
  gz += g
  rows.push([file, buf.length, g])
}
rows.sort((a, b) => Number(b[2]) - Number(a[2]))
for (const [file, r, g] of rows) console.log(`${(Number(g) / 1024).toFixed(1).padStart(8)} KB gz ${(Number(r) / 1024).toFixed(1).padStart(8)} KB  ${file}`)
console.log(`H5 initial JS: ${(gz / 1024).toFixed(1)} KB gzip (${(raw / 1024).toFixed(1)} KB raw, ${seen.size} files); budget ${BUDGET / 1024} KB`)
if (gz > BUDGET) {
  console.error('size: over budget')
  process.exit(1)
}
