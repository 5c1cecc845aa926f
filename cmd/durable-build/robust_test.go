package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// The tests in this file run the durable-build command itself, built once,
// against a copy of a small project that has built once, and check that each
// way a build can fail says what failed and what to do, exits non-zero, and
// leaves the last good build byte for byte.

// robustDir holds the command and the project built once; TestMain removes it.
var robustDir string

func TestMain(m *testing.M) {
	code := m.Run()
	if robustDir != "" {
		os.RemoveAll(robustDir)
	}
	os.Exit(code)
}

// goodConfig is the project's configuration: JSON with // and /* */ comments
// and trailing commas, as wrangler accepts, so the good build shows that the
// build reads them.
const goodConfig = `// A Worker with one Durable Object class.
{
  /* a block
     comment */
  "name": "robust",
  "main": "build/worker.mjs", // the generated entry module
  "durable_objects": {
    "bindings": [
      { "name": "ROOMS", "class_name": "Room", },
    ],
  },
  "migrations": [
    { "tag": "v1", "new_sqlite_classes": ["Room"], },
  ],
}
`

// workerSource is a Go Worker registering the classes named.
func workerSource(classes ...string) string {
	var objects []string
	for _, c := range classes {
		objects = append(objects, fmt.Sprintf("%q: nil", c))
	}
	return `package main

import (
	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/workerd"
)

func main() {
	workerd.Serve(durable.Worker{Objects: map[string]durable.Constructor{` + strings.Join(objects, ", ") + `}})
}
`
}

var (
	fixtureOnce sync.Once
	fixtureErr  error
	commandPath string // the built durable-build
	goodProject string // a project whose build/ holds a good build
)

// fixture builds the command and the good project once for all tests.
func fixture(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the command and a Worker")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("describing a Worker needs Node.js")
	}
	fixtureOnce.Do(func() {
		fixtureErr = func() error {
			dir, err := os.MkdirTemp("", "durable-build-robust-")
			if err != nil {
				return err
			}
			robustDir = dir
			commandPath = filepath.Join(dir, "durable-build")
			if out, err := exec.Command("go", "build", "-o", commandPath, ".").CombinedOutput(); err != nil {
				return fmt.Errorf("building the command: %v\n%s", err, out)
			}
			goodProject = filepath.Join(dir, "project")
			if err := os.Mkdir(goodProject, 0o755); err != nil {
				return err
			}
			root, _ := filepath.Abs("../..")
			sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
			if err != nil {
				return err
			}
			files := map[string]string{
				"go.mod":         "module example.com/w\n\ngo 1.26.0\n\nrequire github.com/durableobjects-on-go/durable v0.0.0\n\nreplace github.com/durableobjects-on-go/durable => " + root + "\n",
				"go.sum":         string(sum),
				"main.go":        workerSource("Room"),
				"wrangler.jsonc": goodConfig,
			}
			for name, content := range files {
				if err := os.WriteFile(filepath.Join(goodProject, name), []byte(content), 0o644); err != nil {
					return err
				}
			}
			code, stderr := runCommand(goodProject, nil)
			if code != 0 {
				return fmt.Errorf("the good build failed (exit %d):\n%s", code, stderr)
			}
			return nil
		}()
	})
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
}

// builtProject copies the good project into a fresh folder, with its build.
func builtProject(t *testing.T) string {
	t.Helper()
	fixture(t)
	dir := t.TempDir()
	err := filepath.WalkDir(goodProject, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(goodProject, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		content, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), content, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// runCommand runs durable-build in dir with args, and extra environment
// variables, outside wrangler dev; it returns the exit code and stderr.
func runCommand(dir string, env []string, args ...string) (int, string) {
	return runCommandAs(nil, dir, env, args...)
}

// runCommandAs is runCommand through a command that runs it as another user
// (runuser -u nobody --), or as this one when prefix is empty.
func runCommandAs(prefix []string, dir string, env []string, args ...string) (int, string) {
	cmd := exec.Command(commandPath, args...)
	if len(prefix) > 0 {
		cmd = exec.Command(prefix[0], append(append(prefix[1:], commandPath), args...)...)
	}
	cmd.Dir = dir
	cmd.Env = append(slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "WRANGLER_COMMAND=") || strings.HasPrefix(kv, "GOFLAGS=")
	}), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), stderr.String()
	}
	if err != nil {
		return -1, err.Error()
	}
	return 0, stderr.String()
}

// snapshot reads every file of a build folder.
func snapshot(t *testing.T, buildDir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	entries, err := os.ReadDir(buildDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		content, err := os.ReadFile(filepath.Join(buildDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = content
	}
	return files
}

// checkIntact fails unless dir's build/ holds exactly the good build, and no
// staging folder is left beside it.
func checkIntact(t *testing.T, dir string) {
	t.Helper()
	want := snapshot(t, filepath.Join(goodProject, "build"))
	if len(want) < 3 || want["app.wasm"] == nil || want["worker.mjs"] == nil {
		t.Fatalf("the good build is not whole: %v", slices.Sorted(maps.Keys(want)))
	}
	got := snapshot(t, filepath.Join(dir, "build"))
	if !slices.Equal(slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want))) {
		t.Errorf("build/ holds %v, want %v", slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
	}
	for name, content := range want {
		if !bytes.Equal(got[name], content) {
			t.Errorf("build/%s changed", name)
		}
	}
	checkNoStaging(t, dir)
}

func checkNoStaging(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".build") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

// checkFailure checks the exit code and that stderr holds each of wants.
func checkFailure(t *testing.T, code int, stderr string, wants ...string) {
	t.Helper()
	if code == 0 {
		t.Errorf("exit code 0, want a failure; stderr:\n%s", stderr)
	}
	for _, want := range wants {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

func TestBuildBrokenGoFile(t *testing.T) {
	dir := builtProject(t)
	writeFile(t, dir, "main.go", "package main\n\nfunc main() { undefinedThing() }\n")
	code, stderr := runCommand(dir, nil)
	checkFailure(t, code, stderr,
		"main.go:3:15: undefined: undefinedThing",
		"fix the Go errors above, then build again; the last good build in build/ is unchanged")
	checkIntact(t, dir)
}

func TestBuildConfigMissing(t *testing.T) {
	dir := builtProject(t)
	os.Remove(filepath.Join(dir, "wrangler.jsonc"))
	code, stderr := runCommand(dir, nil)
	checkFailure(t, code, stderr,
		"durable-build: no wrangler configuration in "+dir+" (looked for wrangler.json, wrangler.jsonc, wrangler.toml)",
		"pass the configuration's path with -config, as in durable-build -config path/to/wrangler.jsonc")
	checkIntact(t, dir)

	code, stderr = runCommand(dir, nil, "-config", "conf/wrangler.jsonc")
	checkFailure(t, code, stderr, "durable-build: the wrangler configuration conf/wrangler.jsonc does not exist: check the path given to -config")
	checkIntact(t, dir)
}

func TestBuildConfigMalformed(t *testing.T) {
	tests := []struct{ name, config, want string }{
		{"missing comma", "{\n  \"name\": \"robust\"\n  \"main\": \"build/worker.mjs\"\n}\n",
			`wrangler.jsonc:3:3: not valid JSON with comments: invalid character '"' after object value (expecting ',' or '}'): a comma is missing between two fields`},
		{"missing value", "{\n  // the entry\n  \"main\": ,\n}\n",
			`wrangler.jsonc:3:11: not valid JSON with comments: invalid character ',' at start of value: there is a comma with no value before it`},
		{"unclosed", "{\n  \"main\": \"build/worker.mjs\",\n  \"migrations\": [\n",
			`wrangler.jsonc:4:1: not valid JSON with comments: parsing value: unexpected EOF: the file ends early: a closing } or ] is missing`},
		{"durable_objects not an object", "{\n  \"main\": \"build/worker.mjs\",\n  \"durable_objects\": \"Room\",\n}\n",
			`wrangler.jsonc:3:22: "durable_objects" is a string; it must be an object {…}`},
		{"bindings not a list", "{\n  \"main\": \"build/worker.mjs\",\n  \"durable_objects\": { \"bindings\": {\"name\": \"ROOMS\"} },\n}\n",
			`wrangler.jsonc:3:36: "durable_objects.bindings" is an object; it must be a list […]`},
		{"class_name a number", "{\"main\": \"build/worker.mjs\",\n\"durable_objects\": {\"bindings\": [{\"name\": \"R\", \"class_name\": 7}]}}",
			`wrangler.jsonc:2:62: "durable_objects.bindings.class_name" is a number; it must be a string in double quotes`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := builtProject(t)
			writeFile(t, dir, "wrangler.jsonc", tt.config)
			code, stderr := runCommand(dir, nil)
			checkFailure(t, code, stderr, "durable-build: "+tt.want)
			checkIntact(t, dir)
		})
	}
}

// TestBuildClassRenamedInConfig renames the class in the binding only: the
// migrations still create the old name.
func TestBuildClassRenamedInConfig(t *testing.T) {
	dir := builtProject(t)
	writeFile(t, dir, "wrangler.jsonc", strings.Replace(goodConfig, `"class_name": "Room"`, `"class_name": "Hall"`, 1))
	code, stderr := runCommand(dir, nil)
	checkFailure(t, code, stderr,
		`wrangler.jsonc binds class "Hall" (binding "ROOMS") but no migration creates it, and workerd refuses it.`,
		`If "Hall" is "Room" renamed, add {"tag": "v2", "renamed_classes": [{"from": "Room", "to": "Hall"}]} to "migrations", which keeps its objects, and rename the class in Go too; if it is a new class, add {"tag": "v2", "new_sqlite_classes": ["Hall"]}`)
	checkIntact(t, dir)
}

// TestBuildClassRenamedInGo renames the class in Go only.
func TestBuildClassRenamedInGo(t *testing.T) {
	dir := builtProject(t)
	writeFile(t, dir, "main.go", workerSource("Hall"))
	code, stderr := runCommand(dir, nil)
	checkFailure(t, code, stderr,
		`class "Room" is in wrangler.jsonc but not registered in Go, and class "Hall" is registered in Go but not in wrangler.jsonc.`,
		`If "Hall" is "Room" renamed, rename it in wrangler.jsonc too: set class_name "Hall" in its durable_objects binding and add {"tag": "v2", "renamed_classes": [{"from": "Room", "to": "Hall"}]} to "migrations", which keeps its objects.`)
	checkIntact(t, dir)
}

func TestBuildOutputNotWritable(t *testing.T) {
	t.Run("output folder is a file", func(t *testing.T) {
		dir := builtProject(t)
		writeFile(t, dir, "out", "not a folder\n")
		writeFile(t, dir, "wrangler.jsonc", strings.Replace(goodConfig, "build/worker.mjs", "out/worker.mjs", 1))
		code, stderr := runCommand(dir, nil)
		checkFailure(t, code, stderr, `the build's output folder out is a file, not a folder: move it away, or set "main" to a path in another folder`)
		checkIntact(t, dir)
	})
	t.Run("output folder holds other files", func(t *testing.T) {
		dir := builtProject(t)
		writeFile(t, dir, "build/notes.txt", "mine\n")
		code, stderr := runCommand(dir, nil)
		checkFailure(t, code, stderr, `the build's output folder build holds files a build does not write (notes.txt), and a build replaces that whole folder: move them out of build, or set "main" to a path in a folder of its own`)
		if content, err := os.ReadFile(filepath.Join(dir, "build", "notes.txt")); err != nil || string(content) != "mine\n" {
			t.Errorf("build/notes.txt: %q, %v", content, err)
		}
	})
	t.Run("read-only folder", func(t *testing.T) {
		dir := builtProject(t)
		buildDir := filepath.Join(dir, "build")
		if err := os.Chmod(buildDir, 0o555); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(buildDir, 0o755)
		var prefix, env []string
		if f, err := os.CreateTemp(buildDir, "probe"); err == nil {
			// Root writes through permissions: run the build as nobody.
			f.Close()
			os.Remove(f.Name())
			runuser, err := exec.LookPath("runuser")
			if _, uerr := user.Lookup("nobody"); err != nil || uerr != nil || os.Getuid() != 0 {
				t.Skip("this user writes into read-only folders and cannot run the build as nobody (runuser); the other subtests cover an output folder the build cannot use")
			}
			// nobody must reach the command and the project.
			for _, d := range []string{robustDir, dir, filepath.Dir(dir)} {
				if err := os.Chmod(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			prefix = []string{runuser, "-u", "nobody", "--"}
			env = []string{"HOME=/nonexistent"}
		}
		code, stderr := runCommandAs(prefix, dir, env)
		checkFailure(t, code, stderr, "cannot write the build's output folder build:", "permission denied", "make build writable, or set \"main\" to a path in a folder you can write")
		os.Chmod(buildDir, 0o755)
		checkIntact(t, dir)
	})
}

// TestBuildWithoutGo runs the build with a PATH that has no go command.
func TestBuildWithoutGo(t *testing.T) {
	dir := builtProject(t)
	code, stderr := runCommand(dir, []string{"PATH=" + t.TempDir()})
	checkFailure(t, code, stderr, "durable-build: the go command is not on PATH: install Go 1.26 or newer (https://go.dev/dl/) and make sure `go version` works in this shell")
	checkIntact(t, dir)
}
