import * as z from 'zod'
import { HANDED_VIA, MAX_HANDED_IMAGE_BYTES } from './api.js'
import type { ApiMethod } from './api.js'
import { PRECISION_CHOICES } from './model.js'
import { DEVICE_CHOICES } from './preferences.js'
import {
  keptSchema,
  realismSchema,
  policySchema,
  repairsSchema,
  settingsObject,
  facingSchema,
  takenSchema,
  captionSchema,
} from './settings-schema.js'

/**
 * The arguments of every `window.api` call as runtime schemas, next to the contract they check:
 * main validates each call against these before a handler runs (DESIGN.md §4). `result` says the
 * method answers with a Result, so a refusal travels as `{ ok: false, error }`; the others reject.
 */
const id = z.string().min(1).max(200)
const path = z.string().min(1).max(4096)
/** What a choice (or a skip) is made for: a whole job, the photos of one of its folders, or one photo. */
const choiceTarget = z.strictObject({ jobId: id, itemId: id.optional(), folder: path.optional() })
const none = z.tuple([])

/** A pair of the app's models (`ModelChoice`): main checks that both are listed before either is used. */
const modelChoice = z.strictObject({ path, partner: path.nullable() })

/** The output folder is not here: only the folder dialog, in main, sets it. */
const preferencesPatch = z.strictObject({
  device: z.enum(DEVICE_CHOICES).optional(),
  precision: z.enum(PRECISION_CHOICES).optional(),
  output: z.strictObject(settingsObject.partial().shape).optional(),
  naming: z.string().max(500).optional(),
  policy: policySchema.optional(),
  realism: realismSchema.optional(),
  model: modelChoice.nullable().optional(),
})

const repairs = repairsSchema.strict()

const chosenFile = z.strictObject({ selection: id, index: z.number().int().min(0).max(100_000) })
const photoRef = z.union([
  chosenFile,
  z.strictObject({ jobId: id, itemId: id, side: z.enum(['input', 'output']) }),
])

/** A 1:1 view's tile column or row (512-px steps, 2 M px at most). */
const tileIndex = z.number().int().min(0).max(4095)

const region = z.strictObject({
  x: z.number().int().min(0),
  y: z.number().int().min(0),
  width: z.number().int().min(1).max(4096),
  height: z.number().int().min(1).max(4096),
})

export const API_ARGUMENTS: { [K in ApiMethod]: { args: z.ZodTuple; result: boolean } } = {
  appVersion: { args: none, result: false },
  listModels: { args: none, result: true },
  inspectModel: { args: z.tuple([chosenFile]), result: true },
  importModel: { args: z.tuple([chosenFile]), result: true },
  listLibrary: { args: none, result: true },
  downloadModel: { args: z.tuple([id]), result: true },
  cancelDownload: { args: z.tuple([id]), result: false },
  removeModel: { args: z.tuple([id]), result: true },
  chooseInputs: { args: z.tuple([z.enum(['files', 'folder', 'model'])]), result: false },
  chooseOutputFolder: { args: none, result: false },
  // Paths only from the preload, which reads them off the dropped File objects (webUtils).
  selectDropped: { args: z.tuple([z.array(path).max(100_000)]), result: false },
  takePhotos: {
    args: z.tuple([
      z.strictObject({
        via: z.enum(HANDED_VIA),
        paths: z.array(path).max(100_000),
        images: z
          .array(z.instanceof(Uint8Array).refine((bytes) => bytes.length <= MAX_HANDED_IMAGE_BYTES))
          .max(100),
        oversized: z.number().int().min(0).max(100_000),
      }),
    ]),
    result: true,
  },
  splitScans: { args: z.tuple([id]), result: true },
  addJob: { args: z.tuple([id]), result: true },
  listJobs: { args: none, result: false },
  listItems: { args: z.tuple([id]), result: false },
  pauseJob: { args: z.tuple([id]), result: false },
  resumeJob: { args: z.tuple([id]), result: false },
  watchJob: { args: z.tuple([id, z.boolean()]), result: false },
  cancelJob: { args: z.tuple([id]), result: false },
  retryJob: { args: z.tuple([id]), result: false },
  readDamaged: { args: z.tuple([z.strictObject({ jobId: id, itemId: id.optional() })]), result: false },
  skipPhotos: { args: z.tuple([choiceTarget, z.boolean()]), result: true },
  reorderJobs: { args: z.tuple([z.array(id).max(100_000)]), result: false },
  removeJob: { args: z.tuple([id]), result: false },
  clearFinishedJobs: { args: none, result: false },
  showLogFile: { args: none, result: false },
  changeJobFolder: { args: z.tuple([id]), result: true },
  copyResult: { args: z.tuple([z.strictObject({ jobId: id, itemId: id })]), result: true },
  showInFolder: { args: z.tuple([z.strictObject({ jobId: id, itemId: id.optional() })]), result: true },
  adjust: {
    args: z.tuple([
      choiceTarget,
      z.strictObject({
        realism: realismSchema.optional(),
        repairs: repairs.optional(),
        kept: keptSchema.optional(),
        facing: facingSchema.optional(),
        taken: takenSchema.nullable().optional(),
        takenFromNames: z.literal(true).optional(),
        caption: captionSchema.nullable().optional(),
        captionFromNames: z.literal(true).optional(),
      }),
    ]),
    result: true,
  },
  chooseJobModels: { args: z.tuple([id, modelChoice.nullable()]), result: true },
  imageUrl: { args: z.tuple([photoRef, z.number().int().min(16).max(8192)]), result: true },
  imageTile: { args: z.tuple([photoRef, tileIndex, tileIndex]), result: true },
  previewCrop: {
    args: z.tuple([photoRef, region, realismSchema, repairs, keptSchema, modelChoice.nullable().optional()]),
    result: true,
  },
  deviceChoice: { args: none, result: false },
  devices: { args: none, result: false },
  getPreferences: { args: none, result: false },
  updatePreferences: { args: z.tuple([preferencesPatch]), result: true },
}

/** A sentence naming the first thing wrong with a call's arguments, or null when they are valid. */
export function argumentProblem(method: ApiMethod, args: unknown[]): string | null {
  const parsed = API_ARGUMENTS[method].args.safeParse(args)
  if (parsed.success) return null
  const issue = parsed.error.issues[0]!
  const where = issue.path.length ? `argument ${issue.path.join('.')}` : 'its arguments'
  return `${method}: ${where} is not valid (${issue.message}).`
}
