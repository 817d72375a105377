import { printable } from '../shared/printable.js'

/** Text of several lines, each made `printable`. */
export function printableLines(text: string): string {
  return text.split('\n').map(printable).join('\n')
}

/** An event or record with each of its strings made `printable`: its names and messages come from outside. */
export function printableFields<T extends object>(record: T): T {
  const entries = Object.entries(record).map(([key, value]: [string, unknown]): [string, unknown] => [
    key,
    typeof value === 'string' ? printable(value) : value,
  ])
  return Object.fromEntries(entries) as T
}
