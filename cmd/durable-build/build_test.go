package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/durableobjects-on-go/durable/internal/wrangler"
)

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadConfigJSONC(t *testing.T) {
	p := writeFile(t, t.TempDir(), "wrangler.jsonc", `{
		// comments and trailing commas are fine
		"name": "w",
		"main": "build/worker.mjs",
		"durable_objects": {"bindings": [
			{"name": "A", "class_name": "Alpha"},
			{"name": "EXT", "class_name": "Elsewhere", "script_name": "other-worker"},
		]},
		"migrations": [
			{"tag": "v1", "new_sqlite_classes": ["Alpha", "Old", "Gone"]},
			{"tag": "v2", "renamed_classes": [{"from": "Old", "to": "Beta"}], "deleted_classes": ["Gone"]},
		],
	}`)
	cfg, err := loadConfig(p)
	if err != nil {
		t.Fatal(err)
	}
	classes := cfg.Classes()
	if want := []string{"Alpha", "Beta"}; !slices.Equal(classes, want) {
		t.Fatalf("classes = %v, want %v", classes, want)
	}
}

func TestLoadConfigAcceptsDeletedKVBackedClass(t *testing.T) {
	p := writeFile(t, t.TempDir(), "wrangler.jsonc", `{"main": "build/worker.mjs", "migrations": [
		{"tag": "v1", "new_classes": ["OldKV"]},
		{"tag": "v2", "deleted_classes": ["OldKV"]},
		{"tag": "v3", "new_sqlite_classes": ["Counter"]}
	]}`)
	cfg, err := loadConfig(p)
	if err != nil {
		t.Fatalf("a KV-backed class deleted later must not block the build: %v", err)
	}
	if classes := cfg.Classes(); !slices.Equal(classes, []string{"Counter"}) {
		t.Fatalf("classes = %v", classes)
	}
}

func TestLoadConfigAcceptsKVBackedClass(t *testing.T) {
	p := writeFile(t, t.TempDir(), "wrangler.jsonc", `{"main": "build/worker.mjs",
		"durable_objects": {"bindings": [{"name": "L", "class_name": "Legacy"}]},
		"migrations": [{"tag": "v1", "new_classes": ["Old"]}, {"tag": "v2", "renamed_classes": [{"from": "Old", "to": "Legacy"}]}]}`)
	cfg, err := loadConfig(p)
	if err != nil {
		t.Fatalf("a KV-backed class must build: %v", err)
	}
	if kv := cfg.KVBackedClasses(); !slices.Equal(kv, []string{"Legacy"}) {
		t.Fatalf("KV-backed classes = %v", kv)
	}
}

func TestLoadConfigTOML(t *testing.T) {
	p := writeFile(t, t.TempDir(), "wrangler.toml", `
name = "w"
main = "out/index.js"
[[durable_objects.bindings]]
name = "C"
class_name = "Counter"
[[migrations]]
tag = "v1"
new_sqlite_classes = ["Counter"]
`)
	cfg, err := loadConfig(p)
	if err != nil {
		t.Fatal(err)
	}
	if classes := cfg.Classes(); !slices.Equal(classes, []string{"Counter"}) || cfg.Main != "out/index.js" {
		t.Fatalf("classes = %v main = %q", classes, cfg.Main)
	}
}

func TestLoadConfigErrorsSayWhatToDo(t *testing.T) {
	dir := t.TempDir()
	tests := []struct{ name, content, want string }{
		{"no main", `{"name": "w"}`, `has no "main"`},
		{"main not JS", `{"main": "worker.go"}`, "must name the generated JavaScript module"},
		{"bad class name", `{"main": "b/w.mjs", "durable_objects": {"bindings": [{"name": "X", "class_name": "not-valid"}]}}`, "not a valid JavaScript class name"},
		{"syntax", `{"main": `, "not valid JSON"},
		{"bound class without migration", `{"main": "b/w.mjs", "durable_objects": {"bindings": [{"name": "ROOMS", "class_name": "Room"}, {"name": "O", "class_name": "Other"}]}, "migrations": [{"tag": "v1", "new_sqlite_classes": ["Other"]}]}`,
			`class "Room" (binding "ROOMS") but no migration creates it; workerd refuses it: add {"tag": "v2", "new_sqlite_classes": ["Room"]} to "migrations"`},
		{"bound class deleted", `{"main": "b/w.mjs", "durable_objects": {"bindings": [{"name": "R", "class_name": "Room"}]}, "migrations": [{"tag": "v1", "new_sqlite_classes": ["Room"]}, {"tag": "v2", "deleted_classes": ["Room"]}]}`,
			`no migration creates it`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadConfig(writeFile(t, dir, "wrangler.jsonc", tt.content))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
	if _, err := findConfig(dir + "/missing"); err == nil || !strings.Contains(err.Error(), "-config") {
		t.Fatalf("findConfig in an empty folder: err = %v", err)
	}
}

func TestCheckClasses(t *testing.T) {
	cfg := func(classes ...string) *wrangler.Config {
		c := &wrangler.Config{Path: "/x/wrangler.jsonc", Migrations: []wrangler.Migration{{Tag: "v1", NewSQLiteClasses: classes}}}
		return c
	}
	if err := checkClasses(cfg("A", "B"), []string{"A", "B"}); err != nil {
		t.Fatalf("matching classes: %v", err)
	}
	err := checkClasses(cfg("A", "Missing", "Other"), []string{"A", "Extra"})
	if err == nil {
		t.Fatal("mismatch accepted")
	}
	for _, want := range []string{`"Missing" is in wrangler.jsonc but not registered in Go`, `"Other" is in wrangler.jsonc but not registered in Go`, `"Extra" is registered in Go but not in wrangler.jsonc`, "Worker.Objects"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestEntryModule(t *testing.T) {
	src := string(entryModule("/x/wrangler.jsonc", []string{"Alpha", "Beta"}, map[string][]string{"Beta": {"increment"}}))
	for _, want := range []string{
		"DO NOT EDIT",
		`import module from "./app.wasm";`,
		`export class Alpha extends DurableObject {`,
		`return program.objectFetch(this, "Beta", request);`,
		"  increment(...args) {\n    return program.rpc(this, \"Beta\", \"increment\", args);",
		"export default {",
	} {
		if !strings.Contains(src, want) {
			t.Errorf("entry module lacks %q:\n%s", want, src)
		}
	}
}

func TestGoMinor(t *testing.T) {
	for v, want := range map[string]int{"go1.26.8": 26, "go1.27rc1": 27, "go1.3": 3} {
		if got, ok := goMinor(v); !ok || got != want {
			t.Errorf("goMinor(%q) = %d, %v", v, got, ok)
		}
	}
	if _, ok := goMinor("devel +abc"); ok {
		t.Error("goMinor accepted a devel version")
	}
}

// TestBuildReportsUnregisteredClass runs the whole build on a tiny Worker whose
// configuration names a class the Go program does not register.
func TestBuildReportsUnregisteredClass(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles a Worker")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("describing a Worker needs Node.js")
	}
	dir := tinyModule(t)
	writeFile(t, dir, "main.go", `package main

import (
	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/workerd"
)

func main() { workerd.Serve(durable.Worker{Objects: map[string]durable.Constructor{"Registered": nil}}) }
`)
	cfg := writeFile(t, dir, "wrangler.jsonc", `{"main": "build/worker.mjs",
		"durable_objects": {"bindings": [{"name": "R", "class_name": "Registered"}, {"name": "U", "class_name": "Unregistered"}]},
		"migrations": [{"tag": "v1", "new_sqlite_classes": ["Registered", "Unregistered"]}]}`)
	t.Chdir(dir)
	_, err := build(cfg, ".", buildOptions{})
	if err == nil || !strings.Contains(err.Error(), `class "Unregistered" is in wrangler.jsonc but not registered in Go`) {
		t.Fatalf("build err = %v", err)
	}
}

func TestBuildReportsCompileErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles a Worker")
	}
	dir := tinyModule(t)
	writeFile(t, dir, "main.go", "package main\n\nfunc main() { undefinedThing() }\n")
	cfg := writeFile(t, dir, "wrangler.jsonc", `{"main": "build/worker.mjs"}`)
	t.Chdir(dir)
	_, err := build(cfg, ".", buildOptions{})
	if err == nil || !strings.Contains(err.Error(), "fix the Go errors above") {
		t.Fatalf("build err = %v", err)
	}
}

// tinyModule makes a Go module in a temporary folder that uses this repository's
// SDK through a replace directive.
func tinyModule(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeFile(t, dir, "go.mod", "module example.com/w\n\ngo 1.26.0\n\nrequire github.com/durableobjects-on-go/durable v0.0.0\n\nreplace github.com/durableobjects-on-go/durable => "+root+"\n")
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "go.sum", string(sum))
	return dir
}

func TestFallbackModule(t *testing.T) {
	src := string(fallbackModule("/x/wrangler.jsonc", []string{"Alpha", "Beta"},
		"# m/worker\nworker/a.go:3:2: undefined: <script>x</script>\n", errors.New("compiling ./worker failed")))
	for _, want := range []string{
		"DO NOT EDIT",
		"export default {",
		"export class Alpha extends DurableObject {",
		"export class Beta extends DurableObject {",
		"status: 500",
		`undefined: \u0026lt;script\u0026gt;x\u0026lt;/script\u0026gt;`, // escaped in the HTML page
		`undefined: \u003cscript\u003ex\u003c/script\u003e`,             // as is in the text
		"compiling ./worker failed",
	} {
		if !strings.Contains(src, want) {
			t.Errorf("fallback module lacks %q:\n%s", want, src)
		}
	}
	if strings.Contains(src, "app.wasm") {
		t.Error("the fallback module imports the wasm a failed build did not write")
	}
}

// TestBuildServesErrorsUnderWranglerDev checks that a failed build, in the
// mode wrangler dev gets, writes an entry module that serves the compiler's
// message, and that the next successful build replaces it.
func TestBuildServesErrorsUnderWranglerDev(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles a Worker")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("describing a Worker needs Node.js")
	}
	dir := tinyModule(t)
	writeFile(t, dir, "main.go", "package main\n\nfunc main() { undefinedThing() }\n")
	cfg := writeFile(t, dir, "wrangler.jsonc", `{"main": "build/worker.mjs",
		"durable_objects": {"bindings": [{"name": "R", "class_name": "Room"}]},
		"migrations": [{"tag": "v1", "new_sqlite_classes": ["Room"]}]}`)
	t.Chdir(dir)
	var log bytes.Buffer
	_, err := build(cfg, ".", buildOptions{fallback: true, log: &log})
	var served *servedError
	if !errors.As(err, &served) || !strings.Contains(err.Error(), "fix the Go errors above") {
		t.Fatalf("build err = %v, want a servedError", err)
	}
	entry, err := os.ReadFile(filepath.Join(dir, "build", "worker.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"undefined: undefinedThing", "export class Room extends DurableObject"} {
		if !strings.Contains(string(entry), want) {
			t.Errorf("fallback entry lacks %q:\n%s", want, entry)
		}
	}
	if !strings.Contains(log.String(), "undefined: undefinedThing") {
		t.Errorf("the compiler's output did not reach the log: %q", log.String())
	}

	writeFile(t, dir, "main.go", `package main

import (
	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/workerd"
)

func main() { workerd.Serve(durable.Worker{Objects: map[string]durable.Constructor{"Room": nil}}) }
`)
	if _, err := build(cfg, ".", buildOptions{fallback: true, log: &log}); err != nil {
		t.Fatalf("fixed build: %v", err)
	}
	entry, _ = os.ReadFile(filepath.Join(dir, "build", "worker.mjs"))
	if !strings.Contains(string(entry), `import module from "./app.wasm"`) {
		t.Errorf("the fixed build did not replace the fallback entry:\n%s", entry)
	}
}

func TestBuildRefusesALibraryPackage(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles a package")
	}
	dir := tinyModule(t)
	writeFile(t, dir, "lib.go", "package lib\n\nfunc Answer() int { return 42 }\n")
	cfg := writeFile(t, dir, "wrangler.jsonc", `{"main": "build/worker.mjs"}`)
	t.Chdir(dir)
	_, err := build(cfg, ".", buildOptions{})
	if err == nil || !strings.Contains(err.Error(), ". is not a main package") || !strings.Contains(err.Error(), "calls workerd.Serve") {
		t.Fatalf("build err = %v", err)
	}
}

// TestSlowCompileSaysWhy checks the note a long compilation prints, with the
// threshold lowered so that any compilation is slow.
func TestSlowCompileSaysWhy(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles a package")
	}
	defer func(d time.Duration) { slowCompile = d }(slowCompile)
	slowCompile = time.Nanosecond
	dir := tinyModule(t)
	writeFile(t, dir, "main.go", "package main\n\nfunc main() { undefinedThing() }\n")
	cfg := writeFile(t, dir, "wrangler.jsonc", `{"main": "build/worker.mjs"}`)
	t.Chdir(dir)
	var log bytes.Buffer
	if _, err := build(cfg, ".", buildOptions{log: &log}); err == nil {
		t.Fatal("a broken package built")
	}
	for _, want := range []string{"compiling Go for js/wasm (the first build takes about a minute; later builds take seconds)", "compiled in "} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, log.String())
		}
	}
}

// The front handler is the only way in from outside: the entry module exports
// the default handlers (fetch, scheduled, queue) and the configured classes,
// which only bindings reach, and nothing else.
func TestEntryModuleExportsOnlyTheWaysIn(t *testing.T) {
	src := string(entryModule("/x/wrangler.jsonc", []string{"Alpha", "Beta"}, map[string][]string{"Beta": {"increment"}}))
	var exports []string
	for _, line := range strings.Split(src, "\n") {
		if strings.HasPrefix(line, "export ") {
			exports = append(exports, line)
		}
	}
	want := []string{"export default {", "export class Alpha extends DurableObject {", "export class Beta extends DurableObject {"}
	if !slices.Equal(exports, want) {
		t.Errorf("exports %q, want %q", exports, want)
	}
	start := strings.Index(src, "export default {")
	end := strings.Index(src[start:], "\n};") + start
	var handlers []string
	for _, line := range strings.Split(src[start:end], "\n")[1:] {
		if name, _, ok := strings.Cut(strings.TrimSpace(line), "("); ok && strings.HasSuffix(line, "{") {
			handlers = append(handlers, name)
		}
	}
	if !slices.Equal(handlers, []string{"fetch", "scheduled", "queue"}) {
		t.Errorf("the default export has handlers %q, want fetch, scheduled and queue", handlers)
	}
}
