// Prints the gzip size of the JS a first visit downloads: the entry chunk and, recursively,
// every chunk it imports statically (dynamic imports are loaded later, on demand).
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const LIMIT_BYTES = 400 * 1024
const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist')
const manifestPath = join(dist, '.vite', 'manifest.json')

if (!existsSync(manifestPath)) {
  console.error(`No ${manifestPath}: run "npm run build" first.`)
  process.exit(1)
}

const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'))
const entries = Object.entries(manifest).filter(([, chunk]) => chunk.isEntry)
if (entries.length === 0) {
  console.error('The manifest has no entry chunk.')
  process.exit(1)
}

const seen = new Set()
const files = []
function visit(key) {
  if (seen.has(key)) return
  seen.add(key)
  const chunk = manifest[key]
  if (!chunk) return
  if (chunk.file.endsWith('.js')) files.push(chunk.file)
  for (const dep of chunk.imports ?? []) visit(dep)
}
for (const [key] of entries) visit(key)

let raw = 0
let gzip = 0
for (const file of files) {
  const bytes = readFileSync(join(dist, file))
  const zipped = gzipSync(bytes, { level: 9 }).length
  raw += bytes.length
  gzip += zipped
  console.log(`${(zipped / 1024).toFixed(1).padStart(8)} KB gzip  ${file}`)
}
const kb = (n) => (n / 1024).toFixed(1)
console.log(
  `initial JS: ${files.length} files, ${kb(raw)} KB raw, ${kb(gzip)} KB gzip (limit ${kb(LIMIT_BYTES)} KB)`,
)
if (gzip > LIMIT_BYTES) {
  console.error('Initial JS is over the limit.')
  process.exit(1)
}
