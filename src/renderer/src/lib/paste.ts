/** Input types that take typed text: a paste there is text for the field, not photos for the queue. */
const TEXT_INPUTS = new Set(['text', 'search', 'url', 'email', 'tel', 'password', 'number'])

/** Whether a paste into `target` belongs to the field being typed in. */
export function isTextEntry(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  if (target.isContentEditable || target instanceof HTMLTextAreaElement) return true
  return target instanceof HTMLInputElement && TEXT_INPUTS.has(target.type)
}

/** The paste shortcut as this computer spells it. */
export function pasteKeys(userAgent: string): string {
  return /Macintosh|Mac OS X/.test(userAgent) ? '⌘V' : 'Ctrl+V'
}
