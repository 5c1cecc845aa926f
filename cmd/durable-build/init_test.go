package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// checkoutRoot is this repository, where the SDK of generated projects comes
// from in tests.
func checkoutRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func TestInitWritesAProject(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "My_App")
	var stdout, stderr bytes.Buffer
	if err := runInit([]string{dir, "-no-tidy"}, &stdout, &stderr); err != nil {
		t.Fatalf("init: %v\n%s", err, stderr.String())
	}
	for _, want := range []string{"npm install", "npm start", "npm test", "cd " + dir} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("init's next steps lack %q:\n%s", want, stdout.String())
		}
	}

	goMod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"module My_App\n",
		"require github.com/durableobjects-on-go/durable v0.0.0\n",
		"tool github.com/durableobjects-on-go/durable/cmd/durable-build\n",
		// Run from this checkout, init points the project at it by itself.
		"replace github.com/durableobjects-on-go/durable => " + checkoutRoot(t) + "\n",
	} {
		if !strings.Contains(string(goMod), want) {
			t.Errorf("go.mod lacks %q:\n%s", want, goMod)
		}
	}

	for _, name := range []string{"worker/main.go", "worker/worker.go", "worker/worker_test.go"} {
		src, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if formatted, err := format.Source(src); err != nil || !bytes.Equal(formatted, src) {
			t.Errorf("%s is not gofmt-clean (err %v)", name, err)
		}
	}

	cfg, err := loadConfig(filepath.Join(dir, "wrangler.jsonc"))
	if err != nil {
		t.Fatalf("the generated wrangler.jsonc does not pass the build's checks: %v", err)
	}
	if cfg.Name != "my-app" || !slices.Equal(cfg.Classes(), []string{"Counter"}) {
		t.Errorf("wrangler.jsonc: name %q, classes %v; want my-app, [Counter]", cfg.Name, cfg.Classes())
	}

	var pkg struct {
		Scripts         map[string]string
		DevDependencies map[string]string
	}
	data, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &pkg); err != nil {
		t.Fatalf("package.json: %v", err)
	}
	if pkg.Scripts["start"] == "" || pkg.Scripts["test"] != "go test ./..." || pkg.DevDependencies["wrangler"] != wranglerVersion {
		t.Errorf("package.json: scripts %v, devDependencies %v", pkg.Scripts, pkg.DevDependencies)
	}

	ignore, err := os.ReadFile(filepath.Join(dir, ".gitignore"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"build/", ".wrangler/", "node_modules/"} {
		if !strings.Contains(string(ignore), want) {
			t.Errorf(".gitignore lacks %s", want)
		}
	}
}

func TestInitFlags(t *testing.T) {
	root := checkoutRoot(t)
	parent := t.TempDir()
	t.Chdir(parent)
	var stdout, stderr bytes.Buffer
	// Flags may follow the folder, and a relative -replace is written relative
	// to the new go.mod.
	rel, err := filepath.Rel(filepath.Join(parent, "x"), root)
	if err != nil {
		t.Fatal(err)
	}
	if err := runInit([]string{"x", "-module", "example.com/team/x", "-name", "team-x", "-replace", root, "-no-tidy"}, &stdout, &stderr); err != nil {
		t.Fatalf("init: %v\n%s", err, stderr.String())
	}
	goMod, _ := os.ReadFile("x/go.mod")
	if !strings.Contains(string(goMod), "module example.com/team/x\n") || !strings.Contains(string(goMod), "=> "+root+"\n") {
		t.Errorf("go.mod:\n%s", goMod)
	}
	relRoot, err := filepath.Rel(parent, root)
	if err != nil {
		t.Fatal(err)
	}
	if err := runInit([]string{"-replace", relRoot, "-no-tidy", "y"}, &stdout, &stderr); err != nil {
		t.Fatalf("init: %v", err)
	}
	goMod, _ = os.ReadFile("y/go.mod")
	if !strings.Contains(string(goMod), "=> "+filepath.ToSlash(rel)+"\n") {
		t.Errorf("a relative -replace %s should become %s in go.mod:\n%s", relRoot, rel, goMod)
	}
	cfg, err := loadConfig("x/wrangler.jsonc")
	if err != nil || cfg.Name != "team-x" {
		t.Errorf("-name: config %+v, err %v", cfg, err)
	}
}

func TestInitRefusesBadInput(t *testing.T) {
	parent := t.TempDir()
	t.Chdir(parent)
	writeFile(t, parent, "afile", "")
	if err := os.MkdirAll("full/sub", 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, parent, "full/main.go", "package main\n")
	if err := os.Mkdir("empty", 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"full"}, "is not empty (it holds"},
		{[]string{"afile"}, "is a file: pass the name of a new folder"},
		{[]string{"my app"}, `the folder name "my app" is not a Go module path: pass one with -module, such as -module example.com/my-app`},
		{[]string{"-module", "bad module", "ok1"}, `-module "bad module" is not a Go module path`},
		{[]string{"-module", "a/../b", "ok2"}, `is not a Go module path`},
		{[]string{"-name", "Not_Valid", "ok3"}, `-name "Not_Valid" is not a valid Worker name`},
		{[]string{"-module", "m", "___"}, `cannot make a Worker name from the folder name "___": pass one with -name`},
		{[]string{"-replace", parent, "ok4"}, "not a checkout of github.com/durableobjects-on-go/durable"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := runInit(append(tt.args, "-no-tidy"), &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to say %q", err, tt.want)
			}
		})
	}
	for _, args := range [][]string{{}, {"a", "b"}, {"-bogus", "c"}} {
		var stdout, stderr bytes.Buffer
		if err := runInit(args, &stdout, &stderr); !errors.Is(err, errUsage) || !strings.Contains(stderr.String(), "usage: durable-build init") {
			t.Errorf("init %v: err %v, stderr %q; want the usage", args, err, stderr.String())
		}
	}
	// Refused or not, init wrote nothing into the full folder and made none of
	// the others.
	if entries, _ := os.ReadDir("full"); len(entries) != 2 {
		t.Errorf("full/ holds %d entries", len(entries))
	}
	for _, name := range []string{"ok1", "ok2", "ok3", "ok4", "my app", "___"} {
		if _, err := os.Stat(name); err == nil {
			t.Errorf("a refused init made %s", name)
		}
	}
	// An empty folder is fine.
	var stdout, stderr bytes.Buffer
	if err := runInit([]string{"empty", "-no-tidy"}, &stdout, &stderr); err != nil {
		t.Errorf("init into an empty folder: %v", err)
	}
}

// TestInitProjectPassesItsTests generates a project as a user would, with go
// mod tidy, and runs its own tests and vet, offline: everything it needs is in
// this checkout's module cache.
func TestInitProjectPassesItsTests(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go mod tidy and go test on a generated project")
	}
	dir := filepath.Join(t.TempDir(), "hello")
	var stdout, stderr bytes.Buffer
	t.Setenv("GOPROXY", "off")
	t.Setenv("GOFLAGS", "-mod=mod")
	if err := runInit([]string{dir}, &stdout, &stderr); err != nil {
		t.Fatalf("init: %v\n%s", err, stderr.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "go.sum")); err != nil {
		t.Fatalf("init left no go.sum: %v", err)
	}
	for _, args := range [][]string{{"vet", "./..."}, {"test", "-count=1", "./..."}} {
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		// -mod=readonly: go.sum from init must be complete, with no second tidy.
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=readonly")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s in the generated project: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}
