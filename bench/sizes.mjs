// The web reviewer's download: every file of the built bundle (trunk's dist/), raw, gzip
// (level 9) and brotli (quality 11) — what a static host serves with either encoding.
//   node bench/sizes.mjs [DIR]   (default: dist)
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { argv, exit } from "node:process";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const dir = argv[2] ?? "dist";
const files = [];
const walk = (path) => {
  for (const name of readdirSync(path).sort()) {
    const full = join(path, name);
    if (statSync(full).isDirectory()) walk(full);
    else files.push(full);
  }
};
try {
  walk(dir);
} catch (error) {
  console.error(`${dir}: ${error.message}`);
  exit(2);
}
const kib = (n) => `${(n / 1024).toFixed(1).padStart(8)} KiB`;
const total = { raw: 0, gzip: 0, brotli: 0 };
console.log(`  ${"file".padEnd(40)} ${"raw".padStart(12)} ${"gzip -9".padStart(12)} ${"brotli -11".padStart(12)}`);
for (const file of files) {
  const bytes = readFileSync(file);
  const sizes = {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
    }).length,
  };
  for (const key of Object.keys(total)) total[key] += sizes[key];
  console.log(`  ${relative(dir, file).padEnd(40)} ${kib(sizes.raw)} ${kib(sizes.gzip)} ${kib(sizes.brotli)}`);
}
console.log(`  ${"total".padEnd(40)} ${kib(total.raw)} ${kib(total.gzip)} ${kib(total.brotli)}`);
