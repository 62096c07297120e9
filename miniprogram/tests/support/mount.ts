/**
 * Mounts a page into an in-memory tree (Vue's own renderer over plain objects, no DOM) so a test can
 * tap what the owner taps: `tap(root, 'vendor-call')` calls the element's `@tap` handler as the
 * uni runtime would, modifiers (`.stop`) included. The server renderer (./render) is for reading
 * HTML; this is for the handlers it leaves out.
 */
import { createRenderer } from 'vue'
import type { Component } from 'vue'

export interface TreeNode {
  tag: string
  props: Record<string, unknown>
  children: TreeNode[]
  parent: TreeNode | null
  text: string
}

const node = (tag: string, text = ''): TreeNode => ({ tag, props: {}, children: [], parent: null, text })

function detach(child: TreeNode): void {
  const parent = child.parent
  if (!parent) return
  parent.children.splice(parent.children.indexOf(child), 1)
  child.parent = null
}

const { createApp } = createRenderer<TreeNode, TreeNode>({
  createElement: (tag) => node(tag),
  createText: (text) => node('#text', text),
  createComment: (text) => node('#comment', text),
  setText: (n, text) => {
    n.text = text
  },
  setElementText: (el, text) => {
    for (const c of el.children) c.parent = null
    const t = node('#text', text)
    t.parent = el
    el.children = [t]
  },
  insert: (child, parent, anchor) => {
    detach(child)
    const at = anchor ? parent.children.indexOf(anchor) : -1
    parent.children.splice(at === -1 ? parent.children.length : at, 0, child)
    child.parent = parent
  },
  remove: detach,
  parentNode: (n) => n.parent,
  nextSibling: (n) => {
    const siblings = n.parent?.children ?? []
    return siblings[siblings.indexOf(n) + 1] ?? null
  },
  patchProp: (el, key, _prev, next) => {
    el.props[key] = next
  },
})

/** Mount `page`; the root of its tree. */
export function mount(page: Component): TreeNode {
  const root = node('#root')
  createApp(page).mount(root)
  return root
}

/** Every element with this `data-testid`, in tree order. */
export function findAll(root: TreeNode, testid: string): TreeNode[] {
  const found: TreeNode[] = []
  const walk = (n: TreeNode) => {
    if (n.props['data-testid'] === testid) found.push(n)
    n.children.forEach(walk)
  }
  walk(root)
  return found
}

/** The text under a node, whitespace collapsed. */
export function textOf(n: TreeNode): string {
  const parts: string[] = []
  const walk = (x: TreeNode) => {
    if (x.tag === '#text') parts.push(x.text)
    x.children.forEach(walk)
  }
  walk(n)
  return parts.join('').replace(/\s+/g, ' ').trim()
}

/** Tap the `index`th element with this `data-testid` (its own handler only: nothing bubbles here). */
export function tap(root: TreeNode, testid: string, index = 0): unknown {
  const el = findAll(root, testid)[index]
  if (!el) throw new Error(`no element data-testid="${testid}"`)
  const handler = el.props.onTap
  if (typeof handler !== 'function') throw new Error(`data-testid="${testid}" has no tap handler`)
  return handler({ type: 'tap', stopPropagation: () => undefined, preventDefault: () => undefined, detail: {} })
}
