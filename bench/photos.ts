import sharp from 'sharp'

/** A photo-like JPEG (blurred hashed noise; `seed` makes each different) for timing, not for quality. */
export async function syntheticPhoto(path: string, width: number, height: number, seed = 0): Promise<void> {
  const noise = Buffer.from(
    Array.from({ length: width * height * 3 }, (_, i) => ((i + seed * 7919) * 2654435761) >>> 24),
  )
  await sharp(noise, { raw: { width, height, channels: 3 } })
    .blur(1.2)
    .jpeg({ quality: 90 })
    .toFile(path)
}
