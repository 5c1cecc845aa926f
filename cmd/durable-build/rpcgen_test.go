package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/durableobjects-on-go/durable/internal/describe"
)

// TestGeneratedDispatchMatchesReflection calls RPC methods of every shape
// (testdata/rpcshapes: with and without a context, arguments, result and
// error; a panic, bad arguments, a result that cannot be sent; a pointer type
// declared unexported in another package and a value type in package main)
// natively, where reflection finds them, and on js/wasm under Node.js through
// the dispatch code durable-build generates: the two must answer alike.
func TestGeneratedDispatchMatchesReflection(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles a program for js/wasm")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("running js/wasm needs Node.js")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	goroot, err := goEnv(goTool, "GOROOT")
	if err != nil {
		t.Fatal(err)
	}
	const pkg = "./testdata/rpcshapes"
	run := func(cmd *exec.Cmd) string {
		t.Helper()
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v\n%s%s", cmd, err, out, stderr.Bytes())
		}
		return string(out)
	}

	native := run(exec.Command(goTool, "run", pkg))
	describeCmd := exec.Command(goTool, "run", pkg)
	describeCmd.Env = append(os.Environ(), describe.DescribeEnv+"=1")
	var desc describe.Description
	if err := json.Unmarshal([]byte(run(describeCmd)), &desc); err != nil {
		t.Fatal(err)
	}
	if box := desc.Types["Box"]; box.Name != "box" || !box.Pointer || !strings.HasSuffix(box.PkgPath, "/rpcshapes/shapes") || len(box.Methods) != 9 {
		t.Fatalf("Box described as %+v", box)
	}
	if plain := desc.Types["Plain"]; plain.Name != "Plain" || plain.Pointer || plain.PkgPath != "main" {
		t.Fatalf("Plain described as %+v", plain)
	}

	tmp := t.TempDir()
	overlay, err := dispatchOverlay(goTool, pkg, &desc, tmp)
	if err != nil {
		t.Fatal(err)
	}
	var o struct{ Replace map[string]string }
	b, _ := os.ReadFile(overlay)
	json.Unmarshal(b, &o)
	shapesDir, _ := filepath.Abs("testdata/rpcshapes/shapes")
	src, err := os.ReadFile(o.Replace[filepath.Join(shapesDir, dispatchFile)])
	if err != nil || len(o.Replace) != 2 {
		t.Fatalf("overlay %s: want a file in testdata/rpcshapes and one in its shapes package: %v", b, err)
	}
	if !strings.Contains(string(src), "package shapes") || !strings.Contains(string(src), "durablerpc.Register[*box](") {
		t.Fatalf("dispatch for package shapes:\n%s", src)
	}
	mainDir, _ := filepath.Abs("testdata/rpcshapes")
	mainSrc, _ := os.ReadFile(o.Replace[filepath.Join(mainDir, dispatchFile)])
	if !strings.Contains(string(mainSrc), "durablerpc.Register[*durablepkg0.Adder](") || !strings.Contains(string(mainSrc), "durablerpc.Register[Plain](") {
		t.Fatalf("dispatch for package main (Plain, and the exported shapes.Adder):\n%s", mainSrc)
	}
	if _, err := os.Stat(filepath.Join(shapesDir, dispatchFile)); err == nil {
		t.Fatal("the dispatch file was written into the source tree")
	}

	wasm := filepath.Join(tmp, "app.wasm")
	var log bytes.Buffer
	if err := compileServed(t.Context(), goTool, pkg, wasm, filepath.Join(tmp, "go-tmp"), &desc, &log); err != nil {
		t.Fatalf("%v\n%s", err, log.Bytes())
	}
	served := run(exec.Command(node, filepath.Join(goroot, "lib", "wasm", "wasm_exec_node.js"), wasm))
	if served != native {
		t.Errorf("js/wasm with generated dispatch answered\n%s\nnatively, by reflection:\n%s", served, native)
	}

	// Without the generated code, the js/wasm program finds no methods: the
	// calls above did go through it.
	bare := exec.Command(goTool, "build", "-o", wasm, pkg)
	bare.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	run(bare)
	out, _ := exec.Command(node, filepath.Join(goroot, "lib", "wasm", "wasm_exec_node.js"), wasm).CombinedOutput()
	if !strings.Contains(string(out), "no RPC dispatch was generated for *shapes.box: build the Worker with cmd/durable-build") {
		t.Errorf("without the generated dispatch: %s", out)
	}
}

// TestBuildServesRPCOfAUserModule builds a Worker of a module other than the
// SDK's whose RPC type is unexported in a package of its own: the dispatch
// code goes into that package (which imports only public packages), the
// source tree stays as it was, and the program workerd gets finds the
// methods without reflection (its describe mode reads the generated tables).
func TestBuildServesRPCOfAUserModule(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles a Worker")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("describing a Worker needs Node.js")
	}
	dir := tinyModule(t)
	if err := os.Mkdir(filepath.Join(dir, "rooms"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "rooms/rooms.go", `package rooms

import (
	"context"
	"net/http"

	"github.com/durableobjects-on-go/durable"
)

type room struct{ name string }

func (r *room) ServeHTTP(w http.ResponseWriter, _ *http.Request) {}
func (r *room) Join(ctx context.Context, who string) (string, error) { return who + " joined " + r.name, nil }
func (r *room) URLFor(path string) string { return "/" + path }

// Worker registers the Room class.
func Worker() durable.Worker {
	return durable.Worker{
		Objects: map[string]durable.Constructor{"Room": func(durable.State, durable.Env) (durable.Object, error) { return &room{}, nil }},
		RPC:     map[string]any{"Room": (*room)(nil)},
	}
}
`)
	writeFile(t, dir, "main.go", `package main

import (
	"example.com/w/rooms"
	"github.com/durableobjects-on-go/durable/workerd"
)

func main() { workerd.Serve(rooms.Worker()) }
`)
	cfg := writeFile(t, dir, "wrangler.jsonc", `{"main": "build/worker.mjs",
		"durable_objects": {"bindings": [{"name": "ROOM", "class_name": "Room"}]},
		"migrations": [{"tag": "v1", "new_sqlite_classes": ["Room"]}]}`)
	t.Chdir(dir)
	var log bytes.Buffer
	if _, err := build(cfg, ".", buildOptions{log: &log}); err != nil {
		t.Fatalf("build: %v\n%s", err, log.Bytes())
	}
	entry, _ := os.ReadFile("build/worker.mjs")
	if !strings.Contains(string(entry), `join(...args)`) || !strings.Contains(string(entry), `urlFor(...args)`) {
		t.Fatalf("entry module has no RPC methods:\n%s", entry)
	}
	for _, p := range []string{dispatchFile, filepath.Join("rooms", dispatchFile)} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s was written into the source tree", p)
		}
	}
	goroot, err := goEnv("go", "GOROOT")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, filepath.Join(goroot, "lib", "wasm", "wasm_exec_node.js"), "build/app.wasm")
	cmd.Env = append(os.Environ(), describe.DescribeEnv+"=1")
	out, err := cmd.CombinedOutput()
	var d describe.Description
	if err != nil || json.Unmarshal(out, &d) != nil || d.RPCError != "" || strings.Join(d.Methods["Room"], ",") != "join,urlFor" {
		t.Fatalf("the served program describes itself as %s (%v)", out, err)
	}
}

// TestDispatchOverlayKeepsAUserFile refuses to hide a file of the package
// that has the generated file's name behind the overlay.
func TestDispatchOverlayKeepsAUserFile(t *testing.T) {
	dir := tinyModule(t)
	writeFile(t, dir, "main.go", "package main\n\nfunc main() {}\n")
	writeFile(t, dir, dispatchFile, "package main\n")
	t.Chdir(dir)
	desc := &describe.Description{Types: map[string]describe.RPCType{"Room": {PkgPath: "main", Name: "Room", Pointer: true}}}
	_, err := dispatchOverlay("go", ".", desc, t.TempDir())
	if err == nil || !strings.Contains(err.Error(), dispatchFile+": durable-build adds a generated file of this name") {
		t.Fatalf("err = %v", err)
	}
}
