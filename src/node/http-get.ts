import http from 'node:http'
import type { IncomingMessage } from 'node:http'
import https from 'node:https'
import { isIP } from 'node:net'
import { EnhanceError } from '../shared/errors.js'
import { errnoCode } from './errno.js'

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1'])

function isLoopback(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || (isIP(host) === 4 && host.startsWith('127.'))
}

/** HTTPS only; plain HTTP only to this machine, so tests (and a local mirror) can serve files. */
export function checkedUrl(text: string): URL {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new EnhanceError('INSECURE_URL', `"${text}" is not a web address. Use an https:// URL.`)
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname))) return url
  throw new EnhanceError(
    'INSECURE_URL',
    `${url.origin} is not served over HTTPS, so its file could be altered on the way. Use an https:// URL.`,
  )
}

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|SELF_SIGNED_|DEPTH_ZERO_|HOSTNAME_MISMATCH)/
const NETWORK_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  'ECONNABORTED',
])

/** A request failure as a coded error with what to do. */
export function networkError(error: unknown, url: URL): EnhanceError {
  if (error instanceof EnhanceError) return error
  const code = errnoCode(error) ?? ''
  if (TLS_CODES.test(code)) {
    return new EnhanceError(
      'TLS_ERROR',
      `The secure connection to ${url.host} failed (${code}): its certificate could not be trusted. Check the computer's date and any proxy, or try again later.`,
    )
  }
  const reason = NETWORK_CODES.has(code) ? code : (error as Error).message
  return new EnhanceError(
    'NETWORK_UNAVAILABLE',
    `${url.host} could not be reached (${reason}). Check the internet connection and try again; the download resumes where it stopped.`,
  )
}

export function statusError(status: number, url: URL): EnhanceError {
  if (status === 404 || status === 410) {
    return new EnhanceError(
      'DOWNLOAD_NOT_FOUND',
      `${url.href} is no longer there (HTTP ${status}). The catalogue entry may be out of date: update Enhance, or download the file yourself and import it.`,
    )
  }
  return new EnhanceError(
    'SERVER_ERROR',
    `${url.host} answered HTTP ${status}. The server has a problem; try again later.`,
  )
}

export interface GetOptions {
  headers: Record<string, string>
  signal?: AbortSignal
  maxRedirects: number
  idleTimeoutMs: number
}

function requestOnce(url: URL, options: GetOptions): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http
    const request = client.get(url, { headers: options.headers, signal: options.signal }, resolve)
    request.setTimeout(options.idleTimeoutMs, () =>
      request.destroy(Object.assign(new Error('no answer in time'), { code: 'ETIMEDOUT' })),
    )
    request.on('error', (error) => reject(cancelledOr(error, url, options.signal)))
  })
}

export function cancelledOr(error: unknown, url: URL, signal?: AbortSignal): EnhanceError {
  if (signal?.aborted) return new EnhanceError('CANCELLED', 'The download was cancelled.')
  return networkError(error, url)
}

/**
 * GET that follows redirects itself, so every hop is checked (HTTPS, or loopback) and counted. The
 * response is returned unread, with the URL it finally came from.
 */
export async function get(start: URL, options: GetOptions): Promise<{ response: IncomingMessage; url: URL }> {
  let url = start
  for (let hop = 0; hop <= options.maxRedirects; hop++) {
    const response = await requestOnce(url, options)
    const location = response.headers.location
    if (!(response.statusCode && response.statusCode >= 300 && response.statusCode < 400 && location)) {
      return { response, url }
    }
    response.resume()
    url = checkedUrl(new URL(location, url).href)
  }
  throw new EnhanceError(
    'TOO_MANY_REDIRECTS',
    `${start.host} redirected more than ${options.maxRedirects} times. The link is broken; try again later or download the file yourself and import it.`,
  )
}
