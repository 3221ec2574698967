// Runs a wasm32-wasip1 program (a test binary) under Node's WASI: cargo's runner for
// `cargo test --target wasm32-wasip1` (CARGO_TARGET_WASM32_WASIP1_RUNNER).
import { readFile } from 'node:fs/promises';
import { argv, env, exit } from 'node:process';
import { WASI } from 'node:wasi';

const [file, ...args] = argv.slice(2);
const wasi = new WASI({ version: 'preview1', args: [file, ...args], env, returnOnExit: true });
const module = await WebAssembly.compile(await readFile(file));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
exit(wasi.start(instance));
