/** The values an output name template can use. */
export interface NameVars {
  name?: string
  scale?: number
  realism?: number
  model?: string
}

const PLACEHOLDERS = ['name', 'scale', 'alpha', 'model'] as const

/**
 * What is wrong with an output name template, as the end of a sentence ("must contain {name}, …"), or
 * null. One rule for the app's setting and the CLI's --naming.
 */
export function namingProblem(template: string): string | null {
  if (!template.includes('{name}')) return 'must contain {name}, so two photos never share one name'
  if (/[\\/]/.test(template)) return 'cannot contain / or \\'
  const unknown = [...template.matchAll(/\{([^{}]*)\}/g)]
    .map((m) => m[1]!)
    .find((key) => !(PLACEHOLDERS as readonly string[]).includes(key))
  if (unknown !== undefined)
    return `has {${unknown}}, which is not one of ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}`
  if (template.startsWith('.')) return 'cannot start with ".": such files are hidden'
  return null
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
  const filled = template.replace(new RegExp(`\\{(${PLACEHOLDERS.join('|')})\\}`, 'g'), (_, key: string) =>
    String(values[key]),
  )
  const safe = [...filled].map((c) => (c.charCodeAt(0) < 32 || '/\\:*?"<>|'.includes(c) ? '_' : c)).join('')
  return safe || values['name'] || 'image'
}
