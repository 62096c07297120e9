import { readFileSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import pagesJson from '../src/pages.json'

const SRC = resolve(__dirname, '../src')

/** Width and height from a PNG's IHDR chunk. */
function pngSize(path: string): [number, number] {
  const buf = readFileSync(path)
  expect(buf.subarray(1, 4).toString('latin1')).toBe('PNG')
  return [buf.readUInt32BE(16), buf.readUInt32BE(20)]
}

describe('tab bar icons', () => {
  it('every tab has a normal and a selected icon: 81×81 PNG under WeChat’s 40 KB', () => {
    for (const tab of pagesJson.tabBar.list as { iconPath?: string; selectedIconPath?: string }[]) {
      for (const icon of [tab.iconPath, tab.selectedIconPath]) {
        expect(icon).toMatch(/^static\/tabbar\/.+\.png$/)
        const file = resolve(SRC, icon as string)
        expect(pngSize(file)).toEqual([81, 81])
        expect(statSync(file).size).toBeLessThan(40 * 1024)
      }
      expect(tab.iconPath).not.toBe(tab.selectedIconPath)
    }
  })
})
