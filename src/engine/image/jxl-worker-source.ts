/**
 * The program a JPEG XL decode runs in (`runDecoderWorker`): jxl-oxide (`jxl-oxide-wasm`, a conformance-tested
 * decoder in Rust), from `workerData`:
 * - `bindings`: the file URL of the package's JavaScript, `module`: its WebAssembly;
 * - `bytes`: the file, `maxPixels`: the largest picture to render, `sizeOnly`: stop after the header.
 *
 * It answers once: `{ width, height, complete, png? }`, the PNG (with the photo's ICC profile, 16-bit where the
 * photo is deeper than 8 bits, upright) left out for `sizeOnly` and for a picture past `maxPixels`; or `{ error }`,
 * the decoder's words. `complete` is false for a file cut short: what it holds is rendered, as viewers show it.
 */
export const JXL_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const said = (error) => (error instanceof Error ? error.message : String(error))
import(workerData.bindings).then((jxl) => {
  jxl.initSync({ module: workerData.module })
  const image = new jxl.JxlImage()
  image.feedBytes(workerData.bytes)
  if (!image.tryInit()) return parentPort.postMessage({ error: 'the file ends before its header does' })
  const header = { width: image.width, height: image.height, complete: image.loaded }
  if (workerData.sizeOnly || header.width * header.height > workerData.maxPixels) return parentPort.postMessage(header)
  const png = image.render().encodeToPng()
  parentPort.postMessage({ ...header, png }, [png.buffer])
}).catch((error) => parentPort.postMessage({ error: said(error) }))
`
