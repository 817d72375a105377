// Node has WebAssembly as a global, but @types/node 20 leaves its types to TypeScript's DOM library, which the
// engine's build does not load: the little of it the decoders use.
declare namespace WebAssembly {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- opaque: compiled once, handed to workers
  interface Module {}
  function compile(bytes: Uint8Array): Promise<Module>
}
