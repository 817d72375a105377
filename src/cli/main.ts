import { parseArgs } from 'node:util'
import { EnhanceError, toErrorData } from '../shared/errors.js'
import { parseAlpha, requireValue } from './args.js'
import { convertCommand } from './convert.js'
import { inspectCommand } from './inspect.js'

const USAGE = `enhance — ESRGAN photo enhancer

Usage:
  enhance inspect <checkpoint>
      Print the detected architecture of a .pth, .safetensors or .onnx model as one JSON object.
  enhance convert <checkpoint> --out <file.onnx> [--blend <checkpoint> --alpha <0..1>] [--fp16]
      Write an ONNX model (opset 17, dynamic size). With --blend, the weights are interpolated:
      alpha 0 is the first model, 1 the second.

Errors print "error <CODE>: <what to do>" and exit with status 1.`

export interface Io {
  out: (text: string) => void
  err: (text: string) => void
}

const defaultIo: Io = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
}

async function dispatch(argv: string[], io: Io): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o' },
      blend: { type: 'string' },
      alpha: { type: 'string' },
      fp16: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  const [command, target] = positionals
  if (values.help || !command) {
    io.out(USAGE)
    return
  }
  if (command === 'inspect') {
    io.out(JSON.stringify(await inspectCommand(requireValue(target, 'the checkpoint to inspect'))))
    return
  }
  if (command === 'convert') {
    const result = await convertCommand({
      checkpoint: requireValue(target, 'the checkpoint to convert'),
      out: requireValue(values.out, '--out <file.onnx>'),
      ...(values.blend ? { blend: values.blend } : {}),
      alpha: parseAlpha(values.alpha),
      precision: values.fp16 ? 'fp16' : 'fp32',
    })
    io.out(JSON.stringify(result))
    return
  }
  throw new EnhanceError('INVALID_ARGUMENT', `Unknown command "${command}". Run "enhance --help" for usage.`)
}

/** Runs the CLI and returns its exit status; every failure is printed as a coded error. */
export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  try {
    await dispatch(argv, io)
    return 0
  } catch (error) {
    const data = toErrorData(error)
    const code =
      (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? 'INVALID_ARGUMENT' : data.code
    io.err(`error ${code}: ${data.message}`)
    return 1
  }
}
