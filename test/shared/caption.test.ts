import { describe, expect, it } from 'vitest'
import {
  CAPTION_MAX_CHARACTERS,
  captionNamed,
  captionShort,
  isCaption,
  readCaption,
} from '../../src/shared/caption.js'

describe('a caption a person typed', () => {
  it('is kept composed, its lines ended by \\n, without spaces around it', () => {
    expect(readCaption('  Grandma at the lake, 1962 \r\nPage 3\rLeft\n ')).toEqual({
      caption: 'Grandma at the lake, 1962 \nPage 3\nLeft',
    })
    // e + a combining acute accent is é, one character.
    expect(readCaption('Cafe\u0301 de Flore')).toEqual({ caption: 'Caf\u00e9 de Flore' })
    expect(isCaption('Café de Flore')).toBe(true)
    expect(isCaption(' Café')).toBe(false)
    expect(isCaption('Cafe\u0301')).toBe(false)
    expect(isCaption(42)).toBe(false)
  })

  it('is refused, with the reason, when empty, too long or holding a control character', () => {
    expect(readCaption(' \n ')).toEqual({
      problem: 'The caption is empty: write what the photo shows, or leave it out.',
    })
    const long = 'é'.repeat(CAPTION_MAX_CHARACTERS + 1)
    expect(readCaption(long)).toEqual({
      problem: 'The caption is 2001 characters long; a caption holds at most 2000.',
    })
    // Counted in characters, not UTF-16 units: 2000 emoji are a caption.
    expect(readCaption('📷'.repeat(CAPTION_MAX_CHARACTERS))).toHaveProperty('caption')
    for (const control of ['a\tb', 'a\u001bb', 'a\u0000b', 'a\u0085b'])
      expect(readCaption(control)).toEqual({
        problem: 'The caption holds a control character (a tab, an escape): write it as plain text.',
      })
  })

  it('is shortened to its first line for a row to say', () => {
    expect(captionShort('Lake Como')).toBe('Lake Como')
    expect(captionShort('Lake Como\nPage 3')).toBe('Lake Como…')
    expect(captionShort('Grandma and grandpa at the lake, summer of 1962', 20)).toBe('Grandma and grandpa…')
    // One word longer than the room: cut in it.
    expect(captionShort('Grandmaandgrandpaatthelake', 10)).toBe('Grandmaand…')
    expect(captionShort('Lake, Como', 6)).toBe('Lake…')
  })

  it('is what a name says, without its dates and the words machines and albums name files with', () => {
    const said = {
      '1962 Grandma and Tom at Lake Como': 'Grandma and Tom at Lake Como',
      'Wedding 1958-06-14': 'Wedding',
      'Lake Como - 1962': 'Lake Como',
      scan_0042_Grandma_at_the_lake: 'Grandma at the lake',
      'Grandma, Tom & the dog (2)': 'Grandma, Tom & the dog',
      'IMG_4031 Uncle Tom copy': 'Uncle Tom',
      'Cafe\u0301 de Flore': 'Café de Flore',
      // A number among its words stays; one before them is a counter's.
      '01 Tom turns 3 at the lake': 'Tom turns 3 at the lake',
    }
    for (const [name, caption] of Object.entries(said))
      expect([name, captionNamed(name)]).toEqual([name, caption])
    const none = [
      'IMG_20230514_123456',
      'scan_1962_03',
      'DSC_0042 (2)',
      'photo 2',
      'a',
      'misc',
      '1962',
      'Album 3',
    ]
    const more = ['Pasted 2026-12-03 at 22.56.10', 'PXL_20240101_120000000', 'Scans', 'Ed']
    for (const name of [...none, ...more]) expect([name, captionNamed(name)]).toEqual([name, null])
  })
})
