import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import GithubSlugger from 'github-slugger'
import { describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const guides = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
  'bench/README.md',
  'training/README.md',
  'resources/models/MODEL_CARD.md',
]

/** A Markdown file's lines outside its code blocks, where links and headings are. */
function proseLines(path: string): string[] {
  let fenced = false
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => {
      if (line.startsWith('```')) fenced = !fenced
      return !fenced && !line.startsWith('```')
    })
}

/** The anchors GitHub gives a file's headings (github-slugger is the algorithm GitHub's renderer uses). */
function anchorsOf(path: string): Set<string> {
  const slugger = new GithubSlugger()
  const headings = proseLines(path).flatMap((line) => /^#{1,6} (.*)$/.exec(line)?.[1] ?? [])
  return new Set(headings.map((text) => slugger.slug(text.replace(/`/g, ''))))
}

/** Each link to a file of this repository (not a web address), as written and as a path and anchor. */
function linksOf(path: string): { written: string; target: string; anchor: string | undefined }[] {
  const text = proseLines(path)
    .join('\n')
    .replace(/`[^`\n]*`/g, '')
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].flatMap(([, written]) => {
    if (!written || /^[a-z]+:/i.test(written)) return []
    const [file = '', anchor] = written.split('#')
    return [{ written, target: file ? resolve(dirname(path), file) : path, anchor }]
  })
}

describe('the guides', () => {
  it('link to files that exist, and to headings they have', () => {
    const broken = guides.flatMap((guide) =>
      linksOf(join(root, guide)).flatMap(({ written, target, anchor }) => {
        if (!existsSync(target)) return [`${guide}: ${written} (no such file)`]
        if (anchor && target.endsWith('.md') && !anchorsOf(target).has(anchor))
          return [`${guide}: ${written} (no such heading)`]
        return []
      }),
    )
    expect(broken).toEqual([])
  })

  it('tells a heading that is not there from one that is', () => {
    const readme = join(root, 'README.md')
    expect(anchorsOf(readme).has('the-enhance-command')).toBe(true)
    expect(anchorsOf(readme).has('the-enhance-commands')).toBe(false)
    expect(linksOf(join(root, 'docs/cli.md')).map((link) => link.written)).toContain(
      '../README.md#the-enhance-command',
    )
  })
})
