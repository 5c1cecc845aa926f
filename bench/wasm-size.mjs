// node bench/wasm-size.mjs [file.wasm] [N]: where the bytes of a Go wasm binary go.
// `go tool nm` does not read wasm, so this reads the module itself: the size of
// each function body (code section), named by the "name" section Go writes, summed
// by Go package, plus the size of every section. Default: bench/worker/build/app.wasm.
// durable-build links with -s, which drops the name section: for figures by
// package, link without it (GOOS=js GOARCH=wasm go build -o /tmp/x.wasm
// ./bench/worker; a Worker with Worker.RPC then lacks only its small generated
// dispatch). Names are looked up only when present.
import { readFileSync } from "node:fs";
import path from "node:path";

const file = process.argv[2] ?? path.join(import.meta.dirname, "worker", "build", "app.wasm");
const top = Number(process.argv[3] ?? 15);
const buf = readFileSync(file);

let pos = 8; // magic and version
const uleb = () => {
  let result = 0;
  let shift = 0;
  for (;;) {
    const byte = buf[pos++];
    result += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return result;
  }
};
const str = () => {
  const n = uleb();
  const s = buf.toString("utf8", pos, pos + n);
  pos += n;
  return s;
};

const SECTIONS = ["custom", "type", "import", "function", "table", "memory", "global", "export", "start", "element", "code", "data", "datacount"];
const sections = [];
let importedFuncs = 0;
const bodySizes = []; // by defined-function index
const names = new Map(); // function index (imports first) -> name
while (pos < buf.length) {
  const id = buf[pos++];
  const size = uleb();
  const start = pos;
  const end = start + size;
  let label = SECTIONS[id] ?? `section ${id}`;
  if (id === 0) label = `custom "${str()}"`;
  if (id === 2) {
    for (let n = uleb(), i = 0; i < n; i++) {
      str();
      str();
      const kind = buf[pos++];
      if (kind === 0) {
        uleb();
        importedFuncs++;
      } else if (kind === 1) {
        pos++;
        const flags = uleb();
        uleb();
        if (flags & 1) uleb();
      } else if (kind === 2) {
        const flags = uleb();
        uleb();
        if (flags & 1) uleb();
      } else if (kind === 3) pos += 2;
    }
  }
  if (id === 10) {
    for (let n = uleb(), i = 0; i < n; i++) {
      const body = uleb();
      bodySizes.push(body);
      pos += body;
    }
  }
  if (label === 'custom "name"') {
    while (pos < end) {
      const sub = buf[pos++];
      const subSize = uleb();
      const subEnd = pos + subSize;
      if (sub === 1) for (let n = uleb(), i = 0; i < n; i++) names.set(uleb(), str());
      pos = subEnd;
    }
  }
  sections.push([label, size]);
  pos = end;
}

// pkg is the Go package of a function name. Go's wasm linker writes names with
// "/" as "_" (net_http.(*conn).serve): the package is everything before the first
// "." after any domain (vendor_golang.org_x_net_idna.init), with "/" put back.
// Compiler-generated type functions (type_.eq.T) form a group of their own.
const pkg = (name) => {
  const domain = /^(vendor_)?[a-z0-9-]+\.(com|org|net|io|in|dev)_/.exec(name);
  const from = domain ? domain[0].length : 0;
  const dot = name.indexOf(".", from);
  const p = dot < 0 ? name : name.slice(0, dot);
  return p === "type_" ? "(generated type functions)" : p.replaceAll("_", "/");
};
const funcs = bodySizes.map((size, i) => ({ name: names.get(importedFuncs + i) ?? `func[${importedFuncs + i}]`, size }));
const byPkg = new Map();
for (const f of funcs) byPkg.set(pkg(f.name), (byPkg.get(pkg(f.name)) ?? 0) + f.size);

const kib = (n) => (n / 1024).toFixed(1).padStart(8);
console.log(`${file}: ${kib(buf.length)} KiB, ${funcs.length} functions\n\nsections (KiB):`);
for (const [label, size] of sections.sort((a, b) => b[1] - a[1])) console.log(`${kib(size)}  ${label}`);
console.log(`\nfunction code by Go package, largest ${top} (KiB; package paths guessed back from the mangled names):`);
for (const [name, size] of [...byPkg].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${kib(size)}  ${name}`);
console.log(`\nlargest ${top} functions (KiB):`);
for (const f of funcs.sort((a, b) => b.size - a.size).slice(0, top)) console.log(`${kib(f.size)}  ${f.name}`);
