/** Module resolve hook (node:module register): `electron` is the stand-in, everything else is unchanged. */
const STAND_IN = new URL('./electron.mjs', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'electron') return { url: STAND_IN, format: 'module', shortCircuit: true };
  return nextResolve(specifier, context);
}
