// Command durable-build compiles a Go Worker for workerd: the analogue of
// workers-rs's worker-build.
//
// Usage:
//
//	go run github.com/durableobjects-on-go/durable/cmd/durable-build [-config wrangler.jsonc] [package]
//
// It reads the wrangler configuration (wrangler.json, wrangler.jsonc or
// wrangler.toml in the current folder unless -config names one), and then:
//
//  1. compiles package (default ".") with GOOS=js GOARCH=wasm into app.wasm, in
//     the folder of the configuration's "main" module;
//  2. copies wasm_exec.js from the GOROOT of the go command that compiled, so the
//     glue always matches the compiler;
//  3. runs the program once under Node.js to read the Durable Object classes it
//     registers, and fails, saying what to add where, when they differ from the
//     classes the configuration binds or migrates;
//  4. writes the runtime's modules (js/*.mjs: runtime.mjs and the modules it
//     imports) and the entry module named by "main", which exports one class
//     per Durable Object class, each extending DurableObject.
//
// Set it as wrangler's custom build so wrangler dev rebuilds on Go changes:
//
//	"build": { "command": "go run ./cmd/durable-build ./village", "watch_dir": ["village"] }
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/durableobjects-on-go/durable/internal/describe"
)

// minGoMinor is the oldest Go 1.x release the SDK supports.
const minGoMinor = 26

func main() {
	configPath := flag.String("config", "", "wrangler configuration `file` (default: wrangler.json, wrangler.jsonc or wrangler.toml in the current folder)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: durable-build [-config file] [package]\n\nCompiles a Go Worker to WebAssembly and generates its workerd entry module.\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	pkg := "."
	if flag.NArg() > 1 {
		flag.Usage()
		os.Exit(2)
	}
	if flag.NArg() == 1 {
		pkg = flag.Arg(0)
	}
	start := time.Now()
	out, err := build(*configPath, pkg)
	if err != nil {
		fmt.Fprintf(os.Stderr, "durable-build: %v\n", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "durable-build: wrote %s in %.1fs\n", out, time.Since(start).Seconds())
}

func build(configPath, pkg string) (string, error) {
	if configPath == "" {
		var err error
		if configPath, err = findConfig("."); err != nil {
			return "", err
		}
	}
	cfg, err := loadConfig(configPath)
	if err != nil {
		return "", err
	}
	classes := cfg.Classes()

	goTool, err := exec.LookPath("go")
	if err != nil {
		return "", errors.New("the go command is not on PATH: install Go 1.26 or newer (https://go.dev/dl/) and make sure `go version` works in this shell")
	}
	if err := checkGoVersion(goTool); err != nil {
		return "", err
	}
	goroot, err := goEnv(goTool, "GOROOT")
	if err != nil {
		return "", err
	}

	outDir := filepath.Join(filepath.Dir(configPath), filepath.Dir(cfg.Main))
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return "", err
	}
	wasmPath := filepath.Join(outDir, "app.wasm")
	// -buildvcs=false: stamping VCS data fails in checkouts git calls dubious
	// (owned by another user, as in some CI), and a Worker has no use for it.
	// -ldflags=-s -w drops the symbol table and DWARF (about 2% of the wasm, so
	// less to load at cold start); panics still name functions and lines, which
	// come from the runtime's own tables.
	compile := exec.Command(goTool, "build", "-buildvcs=false", "-ldflags=-s -w", "-o", wasmPath, pkg)
	compile.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	compile.Stdout, compile.Stderr = os.Stderr, os.Stderr
	if err := compile.Run(); err != nil {
		return "", fmt.Errorf("compiling %s failed (GOOS=js GOARCH=wasm go build -buildvcs=false -ldflags=\"-s -w\" -o %s %s): fix the Go errors above", pkg, wasmPath, pkg)
	}

	glue, err := os.ReadFile(filepath.Join(goroot, "lib", "wasm", "wasm_exec.js"))
	if err != nil {
		return "", fmt.Errorf("reading Go's JavaScript glue: %w (is GOROOT %s a complete Go installation?)", err, goroot)
	}
	desc, err := describeProgram(goroot, wasmPath)
	if err != nil {
		return "", err
	}
	if err := checkClasses(configPath, classes, desc.Classes); err != nil {
		return "", err
	}
	if desc.RPCError != "" {
		return "", fmt.Errorf("Worker.RPC in %s:\n%s", pkg, desc.RPCError)
	}

	mainPath := filepath.Join(filepath.Dir(configPath), cfg.Main)
	files := map[string][]byte{
		filepath.Join(outDir, "wasm_exec.mjs"): glue,
		mainPath:                               entryModule(configPath, classes, desc.Methods),
	}
	modules, _ := jsModules.ReadDir("js")
	for _, m := range modules {
		content, err := jsModules.ReadFile("js/" + m.Name())
		if err != nil {
			return "", err
		}
		files[filepath.Join(outDir, m.Name())] = content
	}
	for path, content := range files {
		if err := os.WriteFile(path, content, 0o644); err != nil {
			return "", err
		}
	}
	return mainPath, nil
}

func goEnv(goTool, name string) (string, error) {
	out, err := exec.Command(goTool, "env", name).Output()
	if err != nil {
		return "", fmt.Errorf("go env %s: %w", name, err)
	}
	return strings.TrimSpace(string(out)), nil
}

func checkGoVersion(goTool string) error {
	v, err := goEnv(goTool, "GOVERSION")
	if err != nil {
		return err
	}
	minor, ok := goMinor(v)
	if ok && minor < minGoMinor {
		return fmt.Errorf("found %s; Go 1.%d or newer is required: install it from https://go.dev/dl/", v, minGoMinor)
	}
	return nil
}

// goMinor extracts 26 from "go1.26.8" or "go1.26rc1".
func goMinor(version string) (int, bool) {
	rest, ok := strings.CutPrefix(version, "go1.")
	if !ok {
		return 0, false
	}
	end := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
	if end >= 0 {
		rest = rest[:end]
	}
	n, err := strconv.Atoi(rest)
	return n, err == nil
}

// describeProgram runs the compiled program under Node.js in describe mode to learn which
// classes it registers.
func describeProgram(goroot, wasmPath string) (*describe.Description, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, errors.New("node is not on PATH: install Node.js 20 or newer (https://nodejs.org); wrangler needs it too")
	}
	cmd := exec.Command(node, filepath.Join(goroot, "lib", "wasm", "wasm_exec_node.js"), wasmPath)
	cmd.Env = append(os.Environ(), describe.DescribeEnv+"=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	var d describe.Description
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &d); err != nil || d.Classes == nil {
		return nil, fmt.Errorf("the program did not describe itself: its main must call workerd.Serve (package github.com/durableobjects-on-go/durable/workerd)%s", detail(runErr, stderr.String()))
	}
	return &d, nil
}

func detail(err error, stderr string) string {
	if err == nil && stderr == "" {
		return ""
	}
	return fmt.Sprintf("\n(node: %v)\n%s", err, stderr)
}
