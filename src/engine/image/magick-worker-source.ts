/**
 * The program an ImageMagick decode runs in (`runDecoderWorker`): its WebAssembly build (`@imagemagick/magick-wasm`),
 * from `workerData`:
 * - `bindings`: the file URL of the package's JavaScript, `module`: its compiled WebAssembly;
 * - `bytes`: the file, `format`: ImageMagick's coder (`JP2`, `J2K`, `PSD`: named, never guessed from the
 *   content), `maxPixels`: the largest picture to decode;
 * - `ycc`: its three components are sYCC (`jp2Header`), which ImageMagick hands over as red, green and blue: they are
 *   made RGB here as OpenJPEG's own decoder makes them (its `sycc_to_rgb`, truncating), chroma repeated over the
 *   pixels it was sampled for.
 *
 * Channels beyond the colours and transparency (a Photoshop document's saved selections and spot colours, which
 * ImageMagick keeps as "meta" channels) are dropped before the TIFF is written: it would store them as extra samples,
 * read as transparency or shifting every pixel after them.
 *
 * It answers once: `{ width, height, tiff? }`, the TIFF
 * (uncompressed, 8 bits a channel, the photo's ICC profile in it) left out for a picture past `maxPixels`; or
 * `{ error }`, the decoder's words.
 */
export const MAGICK_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const said = (error) => (error instanceof Error ? error.message : String(error))
import(workerData.bindings).then(async (magick) => {
  await magick.initializeImageMagick(workerData.module)
  const settings = new magick.MagickReadSettings({ format: workerData.format })
  const image = magick.MagickImage.create()
  image.ping(workerData.bytes, settings)
  const header = { width: image.width, height: image.height }
  if (header.width * header.height > workerData.maxPixels) return parentPort.postMessage(header)
  image.read(workerData.bytes, settings)
  if (workerData.ycc) image.getPixels((pixels) => {
    const area = pixels.getArea(0, 0, image.width, image.height)
    const clamp = (level) => Math.min(255, Math.max(0, level))
    for (let at = 0; at < area.length; at += image.channelCount) {
      const [y, cb, cr] = [area[at], area[at + 1] - 128, area[at + 2] - 128]
      area[at] = clamp(y + Math.trunc(1.402 * cr))
      area[at + 1] = clamp(y - Math.trunc(0.344 * cb + 0.714 * cr))
      area[at + 2] = clamp(y + Math.trunc(1.772 * cb))
    }
    pixels.setArea(0, 0, image.width, image.height, area)
  })
  image.metaChannelCount = 0
  image.depth = 8
  image.settings.compression = magick.CompressionMethod.NoCompression
  const tiff = image.write(magick.MagickFormat.Tiff, (data) => data.slice())
  parentPort.postMessage({ ...header, tiff }, [tiff.buffer])
}).catch((error) => parentPort.postMessage({ error: said(error) }))
`
