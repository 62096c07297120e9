/** Server-render a page to HTML and pick elements out of it by `data-testid`. */
import { createSSRApp } from 'vue'
import type { Component } from 'vue'
import { renderToString } from 'vue/server-renderer'

export function render(page: Component): Promise<string> {
  return renderToString(createSSRApp(page))
}

/** Let pending promise chains (fake API calls, store updates) finish. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0))
}

export interface Found {
  /** The opening tag with its attributes. */
  tag: string
  html: string
  /** Text content, tags stripped, whitespace collapsed. */
  text: string
  attr(name: string): string | undefined
}

const VOID = new Set(['input', 'img', 'br', 'hr', 'meta', 'link'])

/** Every element with `data-testid="<id>"`, in document order. */
export function byTestId(html: string, id: string): Found[] {
  const found: Found[] = []
  const open = new RegExp(`<([a-zA-Z][\\w-]*)\\b[^>]*\\bdata-testid="${id}"[^>]*>`, 'g')
  let m: RegExpExecArray | null
  while ((m = open.exec(html))) {
    const name = m[1]
    const start = m.index + m[0].length
    let end = start
    if (!VOID.has(name)) {
      // Walk to the matching close tag of the same name.
      const tags = new RegExp(`<(/?)${name}\\b[^>]*>`, 'g')
      tags.lastIndex = start
      let depth = 1
      let t: RegExpExecArray | null
      while (depth > 0 && (t = tags.exec(html))) {
        depth += t[1] ? -1 : 1
        end = t.index
      }
    }
    const inner = html.slice(start, end)
    const tag = m[0]
    found.push({
      tag,
      html: inner,
      text: inner
        .replace(/<!--.*?-->/g, '')
        .replace(/<[^>]+>/g, '')
        .replace(/\s+/g, ' ')
        .trim(),
      attr: (a) => new RegExp(`\\b${a}="([^"]*)"`).exec(tag)?.[1],
    })
  }
  return found
}

export function one(html: string, id: string): Found {
  const all = byTestId(html, id)
  if (all.length !== 1) throw new Error(`expected one [data-testid=${id}], found ${all.length}`)
  return all[0]
}
