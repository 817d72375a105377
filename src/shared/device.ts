import type { DeviceChoice } from './preferences.js'

/** A device the Settings list offers on this computer, and why it cannot run here (absent: it may). */
export interface DeviceOffer {
  device: DeviceChoice
  unavailable?: string
}

/** What `auto` measured on one provider: its warm probe time, or why it was not usable. */
export interface ProviderProbe {
  provider: string
  /** Milliseconds for the warm probe tile (the second run: the first compiles shaders). */
  ms?: number
  /** Why the provider could not be used: it would not load, or it computed a different image. */
  problem?: string
}

/** The provider `auto` chose for one architecture on this machine, why, and what it measured. */
export interface DeviceDecision {
  provider: string
  reason: string
  probes: ProviderProbe[]
  /** The architecture it was measured for, in words ("RRDBNet ×4, nf 32, nb 4"). */
  model: string
  measuredAt: string
}

/** What a photo waiting on `auto`'s measurements shows, in the app and the CLI: it happens once per machine and model. */
export const MEASURING_TEXT = 'measuring this computer’s speed (only the first time)…'
