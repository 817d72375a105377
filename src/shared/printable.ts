/**
 * Whether a terminal or a window acts on a character instead of showing it: control characters (escape
 * sequences clear the screen, set the title or the clipboard; a carriage return or newline rewrites a line;
 * a window draws them as empty boxes) and the bidirectional marks and overrides that show "photo" + U+202E +
 * "gpj.exe" as "photoexe.jpg" and turn the rest of a sentence around. Tab is text.
 */
function actedOn(code: number): boolean {
  return (
    (code < 0x20 && code !== 0x09) ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x200e ||
    code === 0x200f ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  )
}

/**
 * `text` with each character a terminal or window would act on written as its code (`\x1b`, `\u202e`), as
 * `ls` does. Names and messages come from outside (file names, folders), so they are shown this way.
 */
export function printable(text: string): string {
  let shown = ''
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0
    if (!actedOn(code)) shown += char
    else shown += code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`
  }
  return shown
}
