/**
 * A photo's XMP as its enhanced copy carries it: the copy is upright and larger, and holds no video or gain map.
 * Namespace-aware XML editing (@xmldom/xmldom): XMP's prefixes are the writer's choice (`tiff:`, `ns1:`), so
 * properties are found by namespace, never by spelling. A packet that does not parse as XML is carried as it
 * was: a viewer cannot read what it says either.
 */
import { DOMParser, XMLSerializer, onErrorStopParsing } from '@xmldom/xmldom'
import type { Element } from '@xmldom/xmldom'

const TIFF = 'http://ns.adobe.com/tiff/1.0/'
const EXIF = 'http://ns.adobe.com/exif/1.0/'
const GOOGLE_CAMERA = 'http://ns.google.com/photos/1.0/camera/'
const GOOGLE_CONTAINER = 'http://ns.google.com/photos/1.0/container/'
const GAIN_MAP = 'http://ns.adobe.com/hdr-gain-map/1.0/'

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

/**
 * `xmp` with its orientation upright, its image size `width` × `height`, its resolution `density` pixels per inch
 * where one is given (a print's), and nothing about a video or gain map.
 */
export function xmpForOutput(xmp: string, width: number, height: number, density?: number): string {
  // XMP has no document type; one that declares any is not rewritten (and its entities are never expanded).
  if (/<!DOCTYPE/i.test(xmp)) return xmp
  const document = parse(xmp)
  if (!document) return xmp
  const values: ReadonlyArray<[string, string, string]> = [
    [TIFF, 'Orientation', '1'],
    [TIFF, 'ImageWidth', String(width)],
    [TIFF, 'ImageLength', String(height)],
    [EXIF, 'PixelXDimension', String(width)],
    [EXIF, 'PixelYDimension', String(height)],
    ...(density === undefined
      ? []
      : ([
          [TIFF, 'XResolution', `${Math.round(density)}/1`],
          [TIFF, 'YResolution', `${Math.round(density)}/1`],
          [TIFF, 'ResolutionUnit', '2'],
        ] satisfies [string, string, string][])),
  ]
  let changed = false
  for (const element of [...document.getElementsByTagName('*')]) {
    for (const [namespace, name, value] of values)
      changed = setProperty(element, namespace, name, value) || changed
    changed = removeLeftBehind(element) || changed
  }
  return changed ? new XMLSerializer().serializeToString(document) : xmp
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
