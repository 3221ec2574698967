// Runs a wasm32-wasip1 program under Node's WASI, with the repository preopened at `/repo`
// (paths in the arguments must then start with `/repo/`). Used as cargo's runner for
// `cargo test --target wasm32-wasip1` (CARGO_TARGET_WASM32_WASIP1_RUNNER) and by bench/run.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { argv, env, exit } from 'node:process';
import { fileURLToPath } from 'node:url';
import { WASI } from 'node:wasi';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const [file, ...args] = argv.slice(2);
const wasi = new WASI({
  version: 'preview1',
  args: [file, ...args],
  env,
  preopens: { '/repo': repo },
  returnOnExit: true,
});
const module = await WebAssembly.compile(await readFile(file));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
exit(wasi.start(instance));
