import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { Job } from 'kubernetes-models/batch/v1/Job'
import type { IJob } from 'kubernetes-models/batch/v1/Job'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import YAML from 'yaml'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const DEPLOY = join(ROOT, 'deploy')
const BIN = join(ROOT, 'bin', 'enhance.js')
const run = promisify(execFile)
const work = mkdtempSync(join(tmpdir(), 'enhance-deploy-'))
const album = join(work, 'album')

const manifest = (): IJob =>
  YAML.parse(readFileSync(join(DEPLOY, 'k8s', 'enhance-album.yaml'), 'utf8')) as IJob
const container = (job: IJob) => job.spec!.template.spec!.containers[0]!

/** What `kubectl patch --type strategic` does for this patch: containers merge by name, maps merge. */
function mergeByName(target: unknown, patch: unknown): unknown {
  if (
    Array.isArray(target) &&
    Array.isArray(patch) &&
    patch.every((p) => p && typeof p === 'object' && 'name' in p)
  )
    return target.map((t: { name?: string }) => {
      const change = (patch as { name: string }[]).find((p) => p.name === t.name)
      return change ? mergeByName(t, change) : t
    })
  if (target && patch && typeof target === 'object' && typeof patch === 'object' && !Array.isArray(patch)) {
    const merged: Record<string, unknown> = { ...(target as Record<string, unknown>) }
    for (const [key, value] of Object.entries(patch)) merged[key] = mergeByName(merged[key], value)
    return merged
  }
  return patch
}

/** Results below a folder, the shards' queues left out. */
const results = (dir: string) =>
  existsSync(dir)
    ? readdirSync(dir, { recursive: true, encoding: 'utf8' })
        .filter((f) => !f.startsWith('.enhance-shards') && /\.(jpg|png)$/.test(f))
        .sort()
    : []

beforeAll(async () => {
  mkdirSync(join(album, 'sub'), { recursive: true })
  for (const [i, name] of ['a.jpg', 'b.jpg', 'sub/c.jpg', 'sub/d.png'].entries())
    await sharp({
      create: { width: 16, height: 12, channels: 3, background: { r: 40 * i, g: 90, b: 200 } },
    }).toFile(join(album, name))
}, 60_000)

describe('the Kubernetes Indexed Job', () => {
  it("is valid against Kubernetes' schema, and so is its CUDA variant", () => {
    expect(() => new Job(manifest()).validate()).not.toThrow()
    const patch = YAML.parse(
      readFileSync(join(DEPLOY, 'k8s', 'enhance-album-cuda.patch.yaml'), 'utf8'),
    ) as unknown
    const cuda = mergeByName(manifest(), patch) as IJob
    expect(() => new Job(cuda).validate()).not.toThrow()
    expect(container(cuda).image).toMatch(/:cuda$/)
    expect(container(cuda).resources?.limits).toMatchObject({ 'nvidia.com/gpu': 1 })
    expect(container(cuda).args).toContain('cuda')
    // The validator does catch a wrong value, so the checks above could fail.
    const wrong = {
      ...manifest(),
      spec: { ...manifest().spec!, completionMode: 'Sharded' },
    } as unknown as IJob
    expect(() => new Job(wrong).validate()).toThrow(/completionMode/)
  })

  it('runs one shard per index, retried per index, one pod at a time per shard, as a non-root user', () => {
    const { spec } = manifest()
    const pod = spec!.template.spec!
    const enhance = container(manifest())
    const count = enhance.env!.find((e) => e.name === 'ENHANCE_SHARD_COUNT')!.value
    expect(spec).toMatchObject({ completionMode: 'Indexed', podReplacementPolicy: 'Failed' })
    expect(Number(count)).toBe(spec!.completions)
    expect(spec!.parallelism).toBe(spec!.completions)
    expect(spec!.backoffLimitPerIndex).toBeGreaterThan(0)
    expect(pod.restartPolicy).toBe('Never') // what backoffLimitPerIndex requires
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 })
    const args = enhance.args!
    expect(args.slice(args.indexOf('--shard'), args.indexOf('--shard') + 2)).toEqual(['--shard', 'auto'])
    const mount = (path: string) => enhance.volumeMounts!.find((m) => m.mountPath === path)
    expect(mount(args[0]!)?.readOnly).toBe(true) // the album is only read
    expect(mount(args[args.indexOf('--out') + 1]!)?.readOnly).toBeFalsy()
  })

  it("runs as written: every index's command, with the pod's env, enhances the whole album once", async () => {
    const job = manifest()
    const args = container(job).args!
    const out = join(work, 'k8s-out')
    const paths = (a: string) => (a === args[0] ? album : a === args[args.indexOf('--out') + 1] ? out : a)
    // Every index at once, as the Job's parallelism runs them.
    const indexes = Array.from({ length: job.spec!.completions! }, (_, index) => index)
    await Promise.all(
      indexes.map((index) => {
        const env: NodeJS.ProcessEnv = {
          ...process.env,
          JOB_COMPLETION_INDEX: String(index),
          ENHANCE_DATA_DIR: join(work, 'data'),
        }
        for (const e of container(job).env!) env[e.name] = e.value
        return run(process.execPath, [BIN, ...args.map(paths)], { env })
      }),
    )
    expect(results(out)).toEqual(['a.jpg', 'b.jpg', 'sub/c.jpg', 'sub/d.png'])
    expect(readdirSync(join(out, '.enhance-shards')).sort()).toEqual(
      Array.from({ length: job.spec!.completions! }, (_, i) => String(i)).sort(),
    )
  }, 300_000)
})

describe('the Slurm array script', () => {
  it('enhances the whole album once over its array, each task on its own share', async () => {
    const script = join(DEPLOY, 'slurm', 'enhance-album.sbatch')
    const array = /^#SBATCH --array=(\d+)-(\d+)$/m.exec(readFileSync(script, 'utf8'))!
    const [min, max] = [Number(array[1]), Number(array[2])]
    const out = join(work, 'slurm-out')
    const ids = Array.from({ length: max - min + 1 }, (_, i) => min + i)
    await Promise.all(
      ids.map((id) => {
        const env = {
          ...process.env,
          ENHANCE: `${process.execPath} ${BIN}`,
          ENHANCE_DATA_DIR: join(work, 'data'),
          SLURM_ARRAY_TASK_ID: String(id),
          SLURM_ARRAY_TASK_MIN: String(min),
          SLURM_ARRAY_TASK_COUNT: String(max - min + 1),
        }
        return run('bash', [script, album, out], { env })
      }),
    )
    expect(results(out)).toEqual(['a.jpg', 'b.jpg', 'sub/c.jpg', 'sub/d.png'])
  }, 300_000)
})

describe('the container recipe', () => {
  const dockerfile = readFileSync(join(DEPLOY, 'Dockerfile'), 'utf8')
  const stages = dockerfile.split(/^FROM /m).slice(1)
  const stage = (name: string) => stages.find((s) => new RegExp(`^\\S+ AS ${name}$`, 'm').test(s))!

  it('has a CPU and a CUDA image, both non-root, with the models and the built CLI', () => {
    expect(stage('app')).toMatch(/^COPY resources\/models \.\/resources\/models$/m)
    expect(stage('app')).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m)
    for (const name of ['cpu', 'cuda']) {
      const text = stage(name)
      expect(text).toMatch(/^USER 10001$/m)
      expect(text).toMatch(/^COPY --from=app \/app \.\/$/m)
      expect(text).toMatch(/^ENTRYPOINT \["node", "\/app\/bin\/enhance.js"/m)
    }
    expect(stage('modules-cuda')).toContain('ONNXRUNTIME_NODE_INSTALL=cuda12')
    expect(stage('cuda')).toContain('--from=modules-cuda')
    expect(stage('cpu')).toContain('--from=modules ')
  })

  it('copies only what the repository has, and its ignore file lets each of them in', () => {
    const ignore = readFileSync(join(DEPLOY, 'Dockerfile.dockerignore'), 'utf8')
    const allowed = ignore
      .split('\n')
      .filter((l) => l.startsWith('!'))
      .map((l) => l.slice(1))
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(' '))
    expect(sources.length).toBeGreaterThan(5)
    for (const source of sources) {
      expect(existsSync(join(ROOT, source)), source).toBe(true)
      expect(
        allowed.some((a) => a === source || a.startsWith(`${source}/`)),
        source,
      ).toBe(true)
    }
  })
})
