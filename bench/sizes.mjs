// The web reviewer's download: every file of the built bundle (trunk's dist/), raw, gzip
// (level 9) and brotli (quality 11) — what a static host serves with either encoding.
//   node bench/sizes.mjs [DIR] [--budget-gzip BYTES]   (default: dist)
// With a budget it exits 1 when everything the page loads, gzipped, is larger: the test
// command holds the reviewer to its 900 KB target that way (sizes are deterministic; times
// are not, so no time is ever a test).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { argv, exit } from "node:process";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const args = argv.slice(2);
const budgetAt = args.indexOf("--budget-gzip");
const budget = budgetAt >= 0 ? Number(args.splice(budgetAt, 2)[1]) : null;
if (budget !== null && !(budget > 0)) {
  console.error("--budget-gzip needs a positive number of bytes");
  exit(2);
}
const dir = args[0] ?? "dist";
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
if (budget !== null) {
  const verdict = total.gzip <= budget ? "within" : "OVER";
  console.log(`  gzip total ${total.gzip} bytes: ${verdict} the budget of ${budget} bytes`);
  if (total.gzip > budget) exit(1);
}
