import { EnhanceError } from '../../shared/errors.js'
import type { ModelArch, RrdbArch, WeightLayout } from '../../shared/model.js'
import type { StateDict, Tensor } from '../weights/tensor.js'
import { compactLayers, inferCompactArch, looksCompact } from './compact.js'
import { otherFamily } from './other-families.js'
import { bodyConv, rrdbConvs, upConv } from './rrdbnet.js'

export interface DetectedModel {
  layout: Exclude<WeightLayout, 'onnx'>
  arch: ModelArch
  /** The weights renamed to the canonical BasicSR names, in forward order. */
  weights: StateDict
}

function unknown(detail: string): EnhanceError {
  return new EnhanceError(
    'UNKNOWN_ARCHITECTURE',
    `This model is not an ESRGAN-family network Enhance can run (${detail}). ` +
      'Use an ESRGAN, Real-ESRGAN or BasicSR checkpoint of an RRDBNet or a Compact (SRVGGNetCompact) network.',
  )
}

type Renamer = (key: string) => string | null

function detectLayout(keys: Set<string>): Exclude<WeightLayout, 'onnx' | 'compact'> {
  if ([...keys].some((k) => k.includes('conv1x1'))) {
    throw unknown('ESRGAN+ ("plus") models with 1×1 convolutions in their dense blocks are not supported yet')
  }
  if (keys.has('model.0.weight') && keys.has('model.1.sub.0.RDB1.conv1.0.weight')) return 'old-arch'
  if (keys.has('conv_first.weight') && keys.has('RRDB_trunk.0.RDB1.conv1.weight')) return 'new-arch'
  if (keys.has('conv_first.weight') && keys.has('body.0.rdb1.conv1.weight')) return 'basicsr'
  const sample = [...keys].slice(0, 4).join(', ')
  throw unknown(`its weights are named ${sample}${keys.size > 4 ? ', …' : ''}`)
}

const NEW_ARCH: Record<string, string> = {
  trunk_conv: 'conv_body',
  HRconv: 'conv_hr',
  conv_first: 'conv_first',
  conv_last: 'conv_last',
}

function newArchRenamer(key: string): string | null {
  const trunk = /^RRDB_trunk\.(\d+)\.RDB([123])\.conv([1-5])\.(weight|bias)$/.exec(key)
  if (trunk) return `${bodyConv(Number(trunk[1]), Number(trunk[2]), Number(trunk[3]))}.${trunk[4]}`
  const up = /^upconv(\d)\.(weight|bias)$/.exec(key)
  if (up) return `${upConv(Number(up[1]) - 1)}.${up[2]}`
  const [module, param] = key.split('.')
  const name = module !== undefined ? NEW_ARCH[module] : undefined
  return name && (param === 'weight' || param === 'bias') ? `${name}.${param}` : null
}

/**
 * Old-arch keys are indices into one flattened nn.Sequential: 0 conv_first, 1 the trunk
 * (`sub.<nb>` is conv_body), then per ×2 stage [Upsample, conv, LReLU], then HR conv, LReLU, last conv.
 */
function oldArchRenamer(keys: Set<string>): Renamer {
  const top = [...keys]
    .map((k) => /^model\.(\d+)\.(?:weight|bias)$/.exec(k)?.[1])
    .filter((i): i is string => i !== undefined)
    .map(Number)
    .filter((i) => i > 1)
  const indices = [...new Set(top)].sort((a, b) => a - b)
  const upsamples = indices.length - 2
  const names = new Map<number, string>()
  indices.slice(0, upsamples).forEach((index, u) => names.set(index, upConv(u)))
  names.set(indices[upsamples] ?? -1, 'conv_hr')
  names.set(indices[upsamples + 1] ?? -1, 'conv_last')
  const expected = [...Array(upsamples).keys()]
    .map((u) => 3 + 3 * u)
    .concat(3 * upsamples + 2, 3 * upsamples + 4)
  if (upsamples < 0 || expected.some((index, i) => indices[i] !== index)) {
    throw unknown(`its top-level layers ${indices.join(', ')} do not follow the ESRGAN layout`)
  }
  // A loop, not Math.max(...keys): spreading 500,000 keys into a call overflows the stack.
  let nb = -1
  for (const k of keys) nb = Math.max(nb, Number(/^model\.1\.sub\.(\d+)\./.exec(k)?.[1] ?? -1))
  return (key) => {
    if (key.startsWith('model.0.')) return `conv_first.${key.slice(8)}`
    const block = /^model\.1\.sub\.(\d+)\.RDB([123])\.conv([1-5])\.0\.(weight|bias)$/.exec(key)
    if (block) return `${bodyConv(Number(block[1]), Number(block[2]), Number(block[3]))}.${block[4]}`
    if (key === `model.1.sub.${nb}.weight` || key === `model.1.sub.${nb}.bias`)
      return `conv_body.${key.split('.').pop()}`
    const layer = /^model\.(\d+)\.(weight|bias)$/.exec(key)
    const name = layer ? names.get(Number(layer[1])) : undefined
    return name && layer ? `${name}.${layer[2]}` : null
  }
}

const basicsrRenamer: Renamer = (key) => key

function rename(tensors: StateDict, renamer: Renamer): StateDict {
  const out: StateDict = new Map()
  for (const [key, tensor] of tensors) {
    const name = renamer(key)
    if (name === null) throw unknown(`unexpected weight "${key}"`)
    out.set(name, tensor)
  }
  return out
}

function shapeOf(weights: StateDict, name: string): number[] {
  const tensor = weights.get(`${name}.weight`)
  if (!tensor || tensor.shape.length !== 4) throw unknown(`${name} is missing or not a convolution`)
  return tensor.shape
}

function inferArch(weights: StateDict): RrdbArch {
  const [nf = 0, inputs = 0] = shapeOf(weights, 'conv_first')
  const [gc = 0] = shapeOf(weights, bodyConv(0, 1, 1))
  const [outChannels = 0] = shapeOf(weights, 'conv_last')
  const blocks = new Set(
    [...weights.keys()].map((k) => /^body\.(\d+)\./.exec(k)?.[1]).filter((b) => b !== undefined),
  )
  let upsamples = 0
  while (weights.has(`${upConv(upsamples)}.weight`)) upsamples++
  // Real-ESRGAN ×2 and ×1 pixel-unshuffle RGB by 2 or 4 before conv_first.
  const unshuffle = inputs === 12 ? 2 : inputs === 48 ? 4 : 1
  const inChannels = inputs / unshuffle ** 2
  return {
    arch: 'RRDBNet',
    scale: 2 ** upsamples / unshuffle,
    nf,
    nb: blocks.size,
    gc,
    inChannels,
    outChannels,
    upsamples,
    unshuffle,
  }
}

interface ExpectedTensor {
  key: string
  shape: number[]
}

function rrdbTensors(arch: RrdbArch): ExpectedTensor[] {
  return rrdbConvs(arch).flatMap((conv) => [
    { key: `${conv.name}.weight`, shape: [conv.out, conv.in, 3, 3] },
    { key: `${conv.name}.bias`, shape: [conv.out] },
  ])
}

/** An .onnx graph holds PReLU slopes as C×1×1 so they broadcast; trailing 1s change no layout. */
function sameShape(actual: number[], expected: number[]): boolean {
  const trimmed = [...actual]
  while (trimmed.length > expected.length && trimmed[trimmed.length - 1] === 1) trimmed.pop()
  return trimmed.join('×') === expected.join('×')
}

/** Checks every expected tensor is present with the right shape, and puts them in forward order. */
function validated(weights: StateDict, expected: ExpectedTensor[]): StateDict {
  const ordered: StateDict = new Map()
  for (const { key, shape } of expected) {
    const tensor: Tensor | undefined = weights.get(key)
    if (!tensor) throw unknown(`${key} is missing`)
    if (!sameShape(tensor.shape, shape)) {
      throw unknown(`${key} has shape ${tensor.shape.join('×')} where ${shape.join('×')} was expected`)
    }
    ordered.set(key, tensor)
  }
  const extra = [...weights.keys()].find((k) => !ordered.has(k))
  if (extra) throw unknown(`unexpected weight "${extra}"`)
  return ordered
}

function detectCompact(tensors: StateDict): DetectedModel {
  const arch = inferCompactArch(tensors)
  if (typeof arch === 'string') throw unknown(arch)
  const expected = compactLayers(arch).flatMap((layer) =>
    Object.entries(layer.shapes).map(([param, shape]) => ({ key: `${layer.name}.${param}`, shape })),
  )
  return { layout: 'compact', arch, weights: validated(tensors, expected) }
}

export function detectArchitecture(tensors: StateDict): DetectedModel {
  const keys = new Set(tensors.keys())
  const family = otherFamily(keys)
  if (family) throw unknown(`its network is ${family}`)
  if (looksCompact(keys)) return detectCompact(tensors)
  const layout = detectLayout(keys)
  const renamer =
    layout === 'old-arch' ? oldArchRenamer(keys) : layout === 'new-arch' ? newArchRenamer : basicsrRenamer
  const canonical = rename(tensors, renamer)
  const arch = inferArch(canonical)
  return { layout, arch, weights: validated(canonical, rrdbTensors(arch)) }
}
