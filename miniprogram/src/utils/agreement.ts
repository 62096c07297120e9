/**
 * 用户协议 / 隐私政策 as the company publishes them: plain text with minimal Markdown, turned into
 * blocks the page renders as text nodes (never HTML, so nothing in the text can run or style).
 *   `# x` / `## x` headings, `- x` (or `* x`) list items, paragraphs split by blank lines;
 *   lines of one paragraph are kept as separate lines.
 */
export type AgreementBlock =
  | { kind: 'title' | 'heading' | 'item'; text: string }
  | { kind: 'paragraph'; lines: string[] }

export type AgreementKind = 'user_agreement' | 'privacy_policy'

export function isAgreementKind(value: unknown): value is AgreementKind {
  return value === 'user_agreement' || value === 'privacy_policy'
}

export function parseAgreement(text: string): AgreementBlock[] {
  const blocks: AgreementBlock[] = []
  let paragraph: string[] = []
  const flush = () => {
    if (paragraph.length) blocks.push({ kind: 'paragraph', lines: paragraph })
    paragraph = []
  }
  for (const raw of text.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.trim()
    const heading = /^(#{1,6})\s+(.*)$/.exec(line)
    const item = /^[-*]\s+(.*)$/.exec(line)
    if (!line) flush()
    else if (heading) {
      flush()
      blocks.push({ kind: heading[1].length === 1 ? 'title' : 'heading', text: heading[2] })
    } else if (item) {
      flush()
      blocks.push({ kind: 'item', text: item[1] })
    } else paragraph.push(line)
  }
  flush()
  return blocks
}
