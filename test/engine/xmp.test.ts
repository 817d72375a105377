import { describe, expect, it } from 'vitest'
import { toldXmp, xmpForOutput } from '../../src/engine/image/xmp.js'

const RDF = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#'
const packet = (description: string): string =>
  `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="${RDF}">${description}</rdf:RDF></x:xmpmeta><?xpacket end="w"?>`

describe('the XMP an enhanced photo carries', () => {
  it('is upright and the output’s size, whatever prefixes the writer chose and however it wrote the values', () => {
    const attributes = packet(
      '<rdf:Description xmlns:ns1="http://ns.adobe.com/tiff/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" ns1:Orientation="6" ns1:ImageWidth="4032" dc:format="image/jpeg"/>',
    )
    expect(xmpForOutput(attributes, 1200, 1600)).toBe(
      packet(
        '<rdf:Description xmlns:ns1="http://ns.adobe.com/tiff/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" ns1:Orientation="1" ns1:ImageWidth="1200" dc:format="image/jpeg"/>',
      ),
    )
    const elements = packet(
      '<rdf:Description xmlns:tiff="http://ns.adobe.com/tiff/1.0/" xmlns:exif="http://ns.adobe.com/exif/1.0/"><tiff:Orientation>8</tiff:Orientation><exif:PixelXDimension>300</exif:PixelXDimension><exif:PixelYDimension>200</exif:PixelYDimension><tiff:ImageLength>200</tiff:ImageLength></rdf:Description>',
    )
    expect(xmpForOutput(elements, 800, 1200)).toBe(
      packet(
        '<rdf:Description xmlns:tiff="http://ns.adobe.com/tiff/1.0/" xmlns:exif="http://ns.adobe.com/exif/1.0/"><tiff:Orientation>1</tiff:Orientation><exif:PixelXDimension>800</exif:PixelXDimension><exif:PixelYDimension>1200</exif:PixelYDimension><tiff:ImageLength>1200</tiff:ImageLength></rdf:Description>',
      ),
    )
  })

  it('says nothing of a motion photo’s video or an Ultra HDR gain map, which the enhanced copy does not hold', () => {
    const motion = packet(
      '<rdf:Description xmlns:GCamera="http://ns.google.com/photos/1.0/camera/" xmlns:Container="http://ns.google.com/photos/1.0/container/" xmlns:Item="http://ns.google.com/photos/1.0/container/item/" xmlns:hdrgm="http://ns.adobe.com/hdr-gain-map/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" GCamera:MotionPhoto="1" GCamera:MotionPhotoVersion="1" GCamera:MicroVideoOffset="3062" hdrgm:Version="1.0" dc:creator="Ana"><Container:Directory><rdf:Seq><rdf:li rdf:parseType="Resource"><Container:Item Item:Mime="video/mp4" Item:Semantic="MotionPhoto" Item:Length="3062"/></rdf:li></rdf:Seq></Container:Directory></rdf:Description>',
    )
    expect(xmpForOutput(motion, 10, 10)).toBe(
      packet(
        '<rdf:Description xmlns:GCamera="http://ns.google.com/photos/1.0/camera/" xmlns:Container="http://ns.google.com/photos/1.0/container/" xmlns:Item="http://ns.google.com/photos/1.0/container/item/" xmlns:hdrgm="http://ns.adobe.com/hdr-gain-map/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="Ana"/>',
      ),
    )
  })

  it('says when the photo was taken where a date is asked: replacing a scanner’s, or added beside what it says', () => {
    const scanned = packet(
      '<rdf:Description xmlns:ps="http://ns.adobe.com/photoshop/1.0/" xmlns:exif="http://ns.adobe.com/exif/1.0/" ps:DateCreated="2024-03-01T10:00:00+01:00"><exif:DateTimeOriginal>2024-03-01T10:00:00</exif:DateTimeOriginal></rdf:Description>',
    )
    expect(xmpForOutput(scanned, 10, 10, { stamp: { taken: '1962-07', place: 0 } })).toBe(
      packet(
        '<rdf:Description xmlns:ps="http://ns.adobe.com/photoshop/1.0/" xmlns:exif="http://ns.adobe.com/exif/1.0/" ps:DateCreated="1962-07"><exif:DateTimeOriginal>1962-07</exif:DateTimeOriginal></rdf:Description>',
      ),
    )
    const titled = packet(
      '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:format="image/jpeg"/>',
    )
    expect(xmpForOutput(titled, 10, 10, { stamp: { taken: '1962', place: 0 } })).toBe(
      packet(
        '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:format="image/jpeg" xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" photoshop:DateCreated="1962"/>',
      ),
    )
    expect(toldXmp({ stamp: { taken: '1962-07-14T15:30', place: 0 } })).toBe(
      packet(
        '<rdf:Description rdf:about="" xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" photoshop:DateCreated="1962-07-14T15:30"/>',
      ),
    )
  })

  it('says a caption as dc:description’s default language, escaped, in place of every description it had', () => {
    expect(toldXmp({ caption: 'Ann & <Bob> "at home"\nsummer' })).toBe(
      packet(
        '<rdf:Description rdf:about=""><dc:description xmlns:dc="http://purl.org/dc/elements/1.1/"><rdf:Alt><rdf:li xml:lang="x-default">Ann &amp; &lt;Bob&gt; "at home"\nsummer</rdf:li></rdf:Alt></dc:description></rdf:Description>',
      ),
    )
    const described = (...items: string[]) =>
      packet(
        `<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:description><rdf:Alt>${items.join('')}</rdf:Alt></dc:description></rdf:Description>`,
      )
    const camera = described(
      '<rdf:li xml:lang="x-default">OLYMPUS DIGITAL CAMERA</rdf:li>',
      '<rdf:li xml:lang="de">Am See</rdf:li>',
    )
    const lake = described('<rdf:li xml:lang="x-default">Lake Como</rdf:li>')
    expect(xmpForOutput(camera, 10, 10, { caption: 'Lake Como' })).toBe(lake)
    // Already said just so: the packet as it was, byte for byte.
    expect(xmpForOutput(lake, 10, 10, { caption: 'Lake Como' })).toBe(lake)
  })

  it('is the photo’s own, byte for byte, where nothing needs changing or the packet is not XML a viewer could read', () => {
    const plain = packet(
      '<rdf:Description xmlns:tiff="http://ns.adobe.com/tiff/1.0/" tiff:Orientation="1"   tiff:Make="Kodak"/>',
    )
    expect(xmpForOutput(plain, 10, 10)).toBe(plain)
    const broken = '<x:xmpmeta><rdf:Description tiff:Orientation="6"></x:xmpmeta>'
    expect(xmpForOutput(broken, 10, 10)).toBe(broken)
    const typed = `<!DOCTYPE x [<!ENTITY a "aaaa">]>${packet('<rdf:Description xmlns:tiff="http://ns.adobe.com/tiff/1.0/" tiff:Orientation="6"/>')}`
    expect(xmpForOutput(typed, 10, 10)).toBe(typed)
  })
})
