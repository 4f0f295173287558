import { createRequire } from 'node:module';

type Sdk = typeof import('@wecom/aibot-node-sdk');
const require = createRequire(import.meta.url);
let loaded: Sdk | undefined;

/**
 * The WeCom AI bot SDK, loaded on first use rather than at import: the vendor SDKs (with their axios, protobuf
 * and ws) take ~0.6 s and ~70 MB together, which `steward` commands and a server without this
 * messenger never need. Its package's main entry is CommonJS, so this is the instance an import gets.
 */
export function aibotSdk(): Sdk {
  return (loaded ??= require('@wecom/aibot-node-sdk') as Sdk);
}
