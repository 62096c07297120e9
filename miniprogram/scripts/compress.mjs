#!/usr/bin/env node
// Pre-compress the H5 build for the server (platform/config/owner_h5.py): next to every text file
// of dist/build/h5 a .br (Brotli, quality 11) and a .gz (gzip -9), written only when smaller. The
// server picks one by the browser's Accept-Encoding; nothing is compressed per request.
import { readdirSync, readFileSync, statSync, writeFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'

const root = process.argv[2] ?? 'dist/build/h5'
const TEXT = /\.(js|mjs|css|html|json|svg|txt|map)$/
let files = 0
let before = 0
let after = 0

/** @param {string} dir */
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) {
      walk(path)
      continue
    }
    if (name.endsWith('.br') || name.endsWith('.gz')) {
      rmSync(path) // left by an earlier build
      continue
    }
    if (!TEXT.test(name)) continue
    const raw = readFileSync(path)
    const br = brotliCompressSync(raw, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
    })
    const gz = gzipSync(raw, { level: 9 })
    if (br.length < raw.length) writeFileSync(`${path}.br`, br)
    if (gz.length < raw.length) writeFileSync(`${path}.gz`, gz)
    files += 1
    before += raw.length
    after += Math.min(br.length, raw.length)
  }
}

walk(root)
console.log(`compress: ${files} files, ${(before / 1024).toFixed(1)} KB → ${(after / 1024).toFixed(1)} KB (br)`)
