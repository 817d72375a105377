/**
 * A photo's XMP as its enhanced copy carries it: the copy is upright and larger, and holds no video or gain map.
 * Namespace-aware XML editing (@xmldom/xmldom): XMP's prefixes are the writer's choice (`tiff:`, `ns1:`), so
 * properties are found by namespace, never by spelling. A packet that does not parse as XML is carried as it
 * was: a viewer cannot read what it says either.
 */
import { DOMParser, XMLSerializer, onErrorStopParsing } from '@xmldom/xmldom'
import type { Element } from '@xmldom/xmldom'
import type { Caption, Told } from '../../shared/caption.js'

const TIFF = 'http://ns.adobe.com/tiff/1.0/'
const EXIF = 'http://ns.adobe.com/exif/1.0/'
const GOOGLE_CAMERA = 'http://ns.google.com/photos/1.0/camera/'
const GOOGLE_CONTAINER = 'http://ns.google.com/photos/1.0/container/'
const GAIN_MAP = 'http://ns.adobe.com/hdr-gain-map/1.0/'
const PHOTOSHOP = 'http://ns.adobe.com/photoshop/1.0/'
const RDF = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#'
const DC = 'http://purl.org/dc/elements/1.1/'
const XML = 'http://www.w3.org/XML/1998/namespace'

/**
 * What says a file holds more than its photo: a phone's motion photo (the video after the JPEG, by its length)
 * and an Ultra HDR photo's gain map. The enhanced copy holds neither, and a viewer trusting these would read
 * the end of the photo as a video or a gain map.
 */
const ABOUT_WHAT_IS_LEFT_BEHIND: ReadonlyArray<[namespace: string, names: ReadonlySet<string> | 'all']> = [
  [
    GOOGLE_CAMERA,
    new Set([
      'MotionPhoto',
      'MotionPhotoVersion',
      'MotionPhotoPresentationTimestampUs',
      'MicroVideo',
      'MicroVideoVersion',
      'MicroVideoOffset',
      'MicroVideoPresentationTimestampUs',
    ]),
  ],
  [GOOGLE_CONTAINER, new Set(['Directory'])],
  [GAIN_MAP, 'all'],
]

/** What else the output's XMP says, where it is asked: a print's pixels per inch, what its person told. */
export interface XmpChanges extends Told {
  density?: number | undefined
}

type Property = [namespace: string, name: string, value: string]

/**
 * `xmp` with its orientation upright, its image size `width` × `height`, its resolution `density` pixels per inch
 * where one is given (a print's), what its person `told` where they did, and nothing about a video or gain map.
 */
export function xmpForOutput(
  xmp: string,
  width: number,
  height: number,
  { density, ...told }: XmpChanges = {},
): string {
  const sizes: Property[] = [
    [TIFF, 'Orientation', '1'],
    [TIFF, 'ImageWidth', String(width)],
    [TIFF, 'ImageLength', String(height)],
    [EXIF, 'PixelXDimension', String(width)],
    [EXIF, 'PixelYDimension', String(height)],
  ]
  const dpi = (value: number): Property[] => [
    [TIFF, 'XResolution', `${Math.round(value)}/1`],
    [TIFF, 'YResolution', `${Math.round(value)}/1`],
    [TIFF, 'ResolutionUnit', '2'],
  ]
  return changedXmp(xmp, [...sizes, ...(density === undefined ? [] : dpi(density))], told)
}

/** The XMP of a file Enhance wrote, saying anew what its person `told` of its photo. */
export function xmpWithTold(xmp: string, told: Told): string {
  return changedXmp(xmp, [], told)
}

/**
 * `xmp` with `values` set where it says them, nothing about a video or gain map, and what its person told: the date
 * it was taken as photoshop:DateCreated, the date libraries read (added where it has none), and as
 * exif:DateTimeOriginal where it has that; its `caption` as dc:description (in place of any it had).
 */
function changedXmp(xmp: string, values: Property[], { stamp, caption }: Told): string {
  const taken = stamp?.taken
  // XMP has no document type; one that declares any is not rewritten (and its entities are never expanded).
  if (/<!DOCTYPE/i.test(xmp)) return xmp
  const document = parse(xmp)
  if (!document) return xmp
  const dates: Property[] = taken
    ? [
        [PHOTOSHOP, 'DateCreated', taken],
        [EXIF, 'DateTimeOriginal', taken],
      ]
    : []
  const elements = [...document.getElementsByTagName('*')]
  let changed = false
  for (const element of elements) {
    for (const [namespace, name, value] of [...values, ...dates])
      changed = setProperty(element, namespace, name, value) || changed
    changed = removeLeftBehind(element) || changed
  }
  if (taken !== undefined && !elements.some((element) => hasProperty(element, PHOTOSHOP, 'DateCreated'))) {
    const description = elements.find((e) => e.namespaceURI === RDF && e.localName === 'Description')
    description?.setAttributeNS(PHOTOSHOP, 'photoshop:DateCreated', taken)
    changed = description !== undefined || changed
  }
  if (caption !== undefined) changed = described(document, elements, caption) || changed
  return changed ? new XMLSerializer().serializeToString(document) : xmp
}

/** A packet saying only what its person `told` of the photo, for a photo with no XMP of its own to say it in. */
export function toldXmp(told: Told): string {
  const empty = [
    '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>',
    `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="${RDF}"><rdf:Description rdf:about=""/></rdf:RDF>`,
    '</x:xmpmeta><?xpacket end="w"?>',
  ].join('')
  return changedXmp(empty, [], told)
}

/**
 * Writes `caption` as the packet's dc:description, a language alternative whose default is the caption, in place of
 * any description it had; whether it changed (not where it already says just that).
 */
function described(document: XmpDocument, elements: Element[], caption: Caption): boolean {
  const descriptions = elements.filter((e) => e.namespaceURI === DC && e.localName === 'description')
  const said = descriptions.length === 1 ? [...descriptions[0]!.getElementsByTagNameNS(RDF, 'li')] : []
  if (said.length === 1 && said[0]!.textContent === caption) return false
  for (const element of descriptions) element.parentNode?.removeChild(element)
  const holder = elements.find((e) => e.namespaceURI === RDF && e.localName === 'Description')
  if (!holder) return descriptions.length > 0
  holder.removeAttributeNS(DC, 'description')
  const rdf = (name: string) => document.createElementNS(RDF, `${holder.prefix ?? 'rdf'}:${name}`)
  const [alternatives, item] = [rdf('Alt'), rdf('li')]
  item.setAttributeNS(XML, 'xml:lang', 'x-default')
  item.appendChild(document.createTextNode(caption))
  alternatives.appendChild(item)
  const description = document.createElementNS(DC, 'dc:description')
  description.appendChild(alternatives)
  holder.appendChild(description)
  return true
}

type XmpDocument = ReturnType<DOMParser['parseFromString']>

function parse(xmp: string): XmpDocument | null {
  try {
    return new DOMParser({ onError: onErrorStopParsing }).parseFromString(xmp, 'text/xml')
  } catch {
    return null
  }
}

/** Sets a property written as an attribute (`tiff:Orientation="6"`) or as an element's text; whether it changed. */
function setProperty(element: Element, namespace: string, name: string, value: string): boolean {
  const attribute = element.getAttributeNodeNS(namespace, name)
  if (attribute && attribute.value !== value) {
    attribute.value = value
    return true
  }
  if (element.namespaceURI !== namespace || element.localName !== name) return false
  if (element.textContent === value || element.childNodes.length > 1) return false
  element.textContent = value
  return true
}

/** Whether an element says the property, as an attribute or as itself. */
function hasProperty(element: Element, namespace: string, name: string): boolean {
  const itself = element.namespaceURI === namespace && element.localName === name
  return itself || element.getAttributeNodeNS(namespace, name) !== null
}

/** Removes what `ABOUT_WHAT_IS_LEFT_BEHIND` names from an element: its attributes, or the element itself. */
function removeLeftBehind(element: Element): boolean {
  const named = (namespace: string | null, name: string | null): boolean =>
    ABOUT_WHAT_IS_LEFT_BEHIND.some(
      ([ns, names]) => ns === namespace && (names === 'all' || names.has(name ?? '')),
    )
  if (named(element.namespaceURI, element.localName)) {
    element.parentNode?.removeChild(element)
    return true
  }
  const attributes = [...element.attributes].filter((a) => named(a.namespaceURI, a.localName))
  for (const attribute of attributes) element.removeAttributeNode(attribute)
  return attributes.length > 0
}
