import type { DateStamp } from './taken.js'

/**
 * A photo's caption: what is written under it in the album or on its back ("Grandma at the lake, summer 1962"), kept
 * in its enhanced file where photo libraries show it as the photo's description (XMP dc:description and EXIF
 * ImageDescription, as the Metadata Working Group's guidance pairs them). Kept as typed, in Unicode's composed form,
 * its lines ended by `\n`, without spaces around it.
 */
export type Caption = string

/** Longer than a back of a print holds; long enough for any caption a person writes. */
export const CAPTION_MAX_CHARACTERS = 2000

/** Characters a caption cannot hold: controls other than the end of a line. */
const CONTROL = /[\p{Cc}]/u

/** `text` as a caption is kept: composed, `\r\n` and `\r` as `\n`, trimmed. */
function kept(text: string): string {
  return text.normalize('NFC').replace(/\r\n?/g, '\n').trim()
}

/** Whether `value` is a caption as kept (one `readCaption` gives). */
export function isCaption(value: unknown): value is Caption {
  return typeof value === 'string' && !('problem' in readCaption(value)) && kept(value) === value
}

/** A caption a person typed, as kept, or the sentence saying why it is not one. */
export function readCaption(text: string): { caption: Caption } | { problem: string } {
  const caption = kept(text)
  if (!caption) return { problem: 'The caption is empty: write what the photo shows, or leave it out.' }
  const characters = [...caption].length
  if (characters > CAPTION_MAX_CHARACTERS)
    return {
      problem: `The caption is ${characters} characters long; a caption holds at most ${CAPTION_MAX_CHARACTERS}.`,
    }
  if (CONTROL.test(caption.replaceAll('\n', '')))
    return { problem: 'The caption holds a control character (a tab, an escape): write it as plain text.' }
  return { caption }
}

/**
 * A caption's first line, cut to at most `length` characters with an ellipsis (at a space where one lies in its second
 * half, so no word is cut), for a card or a row to say.
 */
export function captionShort(caption: Caption, length = 40): string {
  const line = caption.split('\n')[0]!
  const characters = [...line]
  if (characters.length <= length && line === caption) return line
  const head = characters.slice(0, length).join('')
  const space = characters.length > length ? head.lastIndexOf(' ') : -1
  const whole = space > length / 2 ? head.slice(0, space) : head
  return `${whole.replace(/[\s,;:]+$/u, '')}…`
}

/**
 * Words that say nothing of what a photo shows: what cameras, phones, scanners and this app name files with, and what
 * an album's folders are sorted by.
 */
const SAYS_NOTHING = new Set(
  [
    ...[
      'img',
      'dsc',
      'dscf',
      'dscn',
      'pxl',
      'mvimg',
      'vid',
      'pano',
      'cci',
      'scan',
      'scanned',
      'image',
      'photo',
    ],
    ...[
      'picture',
      'pic',
      'screenshot',
      'untitled',
      'document',
      'copy',
      'edited',
      'final',
      'pasted',
      'dropped',
    ],
    ...['album', 'albums', 'photos', 'pictures', 'images', 'scans', 'prints', 'enhanced', 'export', 'misc'],
    ...['miscellaneous', 'other', 'others', 'various', 'unsorted', 'new', 'old', 'folder', 'page'],
  ].map((word) => word.toLowerCase()),
)

/** A word of a name that says nothing of the photo: a number, a date's or a counter's digits, a machine's word. */
function saysNothing(word: string): boolean {
  return !/\p{L}/u.test(word) || SAYS_NOTHING.has(word.toLowerCase().replace(/[^\p{L}]/gu, ''))
}

/**
 * The caption a file's or a folder's name says (`--caption names`): the name without its dates, years and the words
 * at its ends that say nothing (`1962 Grandma and Tom at Lake Como` → "Grandma and Tom at Lake Como",
 * `Wedding 1958-06-14` → "Wedding"), underscores read as spaces. Null where nothing is left with a word of three
 * letters or more: `IMG_20230514_1234`, `scan_1962_03`, `DSC_0042 (2)`, `photo 2`, `Summer/misc`.
 */
export function captionNamed(name: string): Caption | null {
  const undated = name
    .normalize('NFC')
    .replace(/(?<!\d)\d{4}-\d{2}(?:-\d{2})?(?!\d)/g, ' ')
    .replace(/(?<!\d)(1[89]|20)\d{2}(?!\d)/g, ' ')
    .replace(/_/g, ' ')
  const words = undated.split(/\s+/).filter(Boolean)
  while (words.length && saysNothing(words[0]!)) words.shift()
  while (words.length && saysNothing(words.at(-1)!)) words.pop()
  if (!words.some((word) => [...word.matchAll(/\p{L}/gu)].length >= 3)) return null
  const caption = words.join(' ').replace(/^[\s,;:.\-–—]+|[\s,;:\-–—(]+$/gu, '')
  const read = readCaption(caption)
  return 'caption' in read ? read.caption : null
}

/**
 * What a person told of a photo, which its file says whatever it said before: when it was taken (and its place
 * among its job's photos dated alike), and its caption.
 */
export interface Told {
  stamp?: DateStamp | undefined
  caption?: Caption | undefined
}
