import js from '@eslint/js'
import svelte from 'eslint-plugin-svelte'
import globals from 'globals'
import tseslint from 'typescript-eslint'

/** The layering of DESIGN.md §3: which top-level folders each layer may not import from. */
const LAYERS = {
  shared: ['engine', 'queue', 'main', 'preload', 'renderer', 'cli', 'node'],
  node: ['engine', 'queue', 'main', 'preload', 'renderer', 'cli'],
  engine: ['queue', 'main', 'preload', 'renderer', 'cli'],
  queue: ['engine', 'main', 'preload', 'renderer', 'cli'],
  renderer: ['engine', 'queue', 'main', 'preload', 'cli', 'node'],
  preload: ['engine', 'queue', 'main', 'renderer', 'cli', 'node'],
}

const NODE_ONLY = ['^node:', '^electron$', '^onnxruntime-node$', '^sharp$']

function layerRule(layer, forbidden) {
  const patterns = [
    {
      regex: `^(\\.\\./)+(${forbidden.join('|')})/`,
      message: `src/${layer} may not import from ${forbidden.join(', ')} (DESIGN.md §3).`,
    },
  ]
  if (layer === 'shared' || layer === 'renderer') {
    patterns.push({
      regex: NODE_ONLY.join('|'),
      message: `src/${layer} must stay free of Node, Electron and native modules.`,
    })
  }
  if (layer === 'engine' || layer === 'queue' || layer === 'node') {
    patterns.push({
      regex: '^electron$',
      message: `src/${layer} runs outside Electron too: no electron imports.`,
    })
  }
  return {
    files: [`src/${layer}/**/*.ts`, `src/${layer}/**/*.svelte`],
    rules: { 'no-restricted-imports': ['error', { patterns }] },
  }
}

/** Main decodes no photos: the engine process does, so a hostile file cannot stall or crash the app's own process. */
const NO_SHARP_IN_MAIN = {
  regex: '^sharp$',
  message: 'src/main decodes and encodes no images: ask the engine (thumbnail, photoTile, previews).',
}

/** Main's services are bound to Chromium in the end-to-end tests, so they reach Electron only through main. */
const NO_ELECTRON_IN_SERVICES = {
  regex: '^electron$',
  message: 'src/main/services runs outside Electron in the tests: no electron imports.',
}

const mainRules = [
  { files: ['src/main/**/*.ts'], patterns: [NO_SHARP_IN_MAIN] },
  { files: ['src/main/services/**/*.ts'], patterns: [NO_SHARP_IN_MAIN, NO_ELECTRON_IN_SERVICES] },
].map(({ files, patterns }) => ({ files, rules: { 'no-restricted-imports': ['error', { patterns }] } }))

export default tseslint.config(
  {
    ignores: ['dist', 'out', 'release', 'node_modules', 'test/fixtures', 'training', 'resources', 'scratch'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-non-null-assertion': 'off',
      // A rest-destructure leaves out what it names: `const { perPhotoMs, ...all } = estimate`.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },
  ...svelte.configs.recommended,
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
  },
  { files: ['src/renderer/**'], languageOptions: { globals: { ...globals.browser } } },
  { files: ['**/*.svelte'], ...tseslint.configs.disableTypeChecked },
  ...Object.entries(LAYERS).map(([layer, forbidden]) => layerRule(layer, forbidden)),
  ...mainRules,
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
)
