/**
 * A photo's XMP as its enhanced copy carries it: the copy is upright and larger, and holds no video or gain map.
 * Namespace-aware XML editing (@xmldom/xmldom): XMP's prefixes are the writer's choice (`tiff:`, `ns1:`), so
 * properties are found by namespace, never by spelling. A packet that does not parse as XML is carried as it
 * was: a viewer cannot read what it says either.
 */
import { DOMParser, XMLSerializer, onErrorStopParsing } from '@xmldom/xmldom'
import type { Element } from '@xmldom/xmldom'
import type { Taken } from '../../shared/taken.js'

const TIFF = 'http://ns.adobe.com/tiff/1.0/'
const EXIF = 'http://ns.adobe.com/exif/1.0/'
const GOOGLE_CAMERA = 'http://ns.google.com/photos/1.0/camera/'
const GOOGLE_CONTAINER = 'http://ns.google.com/photos/1.0/container/'
const GAIN_MAP = 'http://ns.adobe.com/hdr-gain-map/1.0/'
const PHOTOSHOP = 'http://ns.adobe.com/photoshop/1.0/'
const RDF = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#'

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

/** What else the output's XMP says, where it is asked: a print's pixels per inch, when the photo was taken. */
export interface XmpChanges {
  density?: number | undefined
  taken?: Taken | undefined
}

type Property = [namespace: string, name: string, value: string]

/**
 * `xmp` with its orientation upright, its image size `width` × `height`, its resolution `density` pixels per inch
 * where one is given (a print's), the date it was `taken` where one is given, and nothing about a video or gain map.
 */
export function xmpForOutput(
  xmp: string,
  width: number,
  height: number,
  { density, taken }: XmpChanges = {},
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
  return changedXmp(xmp, [...sizes, ...(density === undefined ? [] : dpi(density))], taken)
}

/** The XMP of a file Enhance wrote, saying anew when its photo was `taken`. */
export function xmpWithTaken(xmp: string, taken: Taken): string {
  return changedXmp(xmp, [], taken)
}

/**
 * `xmp` with `values` set where it says them, nothing about a video or gain map, and the date it was `taken` where
 * one is given: photoshop:DateCreated, the date libraries read (added where it has none), and exif:DateTimeOriginal
 * where it has that.
 */
function changedXmp(xmp: string, values: Property[], taken: Taken | undefined): string {
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
  return changed ? new XMLSerializer().serializeToString(document) : xmp
}

/** A packet saying only when the photo was `taken`, for a photo with no XMP of its own to say it in. */
export function takenXmp(taken: Taken): string {
  return [
    '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>',
    `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="${RDF}">`,
    `<rdf:Description rdf:about="" xmlns:photoshop="${PHOTOSHOP}" photoshop:DateCreated="${taken}"/>`,
    '</rdf:RDF></x:xmpmeta>',
    '<?xpacket end="w"?>',
  ].join('')
}

function parse(xmp: string): ReturnType<DOMParser['parseFromString']> | null {
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
