/** The values an output name template can use. */
export interface NameVars {
  name?: string
  scale?: number
  realism?: number
  model?: string
}

/**
 * Fills {name}, {scale}, {alpha} (the realism, named as ESRGAN's α and the CLI's --alpha) and {model};
 * characters no file system accepts become "_".
 */
export function renderName(template: string, vars: NameVars): string {
  const values: Record<string, string> = {
    name: vars.name ?? '',
    scale: vars.scale === undefined ? '' : String(vars.scale),
    alpha: vars.realism === undefined ? '' : vars.realism.toFixed(2),
    model: vars.model ?? '',
  }
  const filled = template.replace(/\{(name|scale|alpha|model)\}/g, (_, key: string) => values[key] ?? '')
  const safe = [...filled].map((c) => (c.charCodeAt(0) < 32 || '/\\:*?"<>|'.includes(c) ? '_' : c)).join('')
  return safe || values['name'] || 'image'
}
