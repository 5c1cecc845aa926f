package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"go/format"
	"go/token"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/durableobjects-on-go/durable/internal/describe"
)

// describeTag builds the program that describes the Worker: its RPC methods
// are found by reflection (internal/serving/rpc_reflect.go). The program
// workerd runs is built without it, and calls them through generated code.
const describeTag = "durable_describe"

// dispatchFile is the name of the generated file in each package that
// declares an RPC type. It exists only in the build's overlay, never in the
// package's folder.
const dispatchFile = "durable_rpc_dispatch.go"

// compileServed compiles pkg into wasmPath again, as workerd will run it:
// without the describe tag, and with the dispatch code for desc's RPC types
// added through go build -overlay, so that nothing is written into the
// Worker's source. Without reflect.Type.Method in the program, Go's linker
// drops the exported methods nothing calls: the bench Worker's module is a
// third smaller (9.2 MB, not 14.6) and its cold start faster.
//
// goTmp is go build's work folder, inside the build's staging folder, so that
// an interrupted or killed build leaves nothing behind: the overlay's files go
// there too, and it is removed when the compilation ends.
func compileServed(ctx context.Context, goTool, pkg, wasmPath, goTmp string, desc *describe.Description, log io.Writer) error {
	if err := os.MkdirAll(goTmp, 0o755); err != nil {
		return err
	}
	defer os.RemoveAll(goTmp)
	tmp, err := os.MkdirTemp(goTmp, "rpc-dispatch-")
	if err != nil {
		return err
	}
	overlay, err := dispatchOverlay(goTool, pkg, desc, tmp)
	if err != nil {
		return err
	}
	build := func(tags string) error {
		args := []string{"build", "-buildvcs=false", "-ldflags=-s -w", "-tags=" + tags, "-o", wasmPath}
		if overlay != "" {
			args = append(args, "-overlay="+overlay)
		}
		compile := command(ctx, goTool, append(args, pkg)...)
		compile.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "GOTMPDIR="+goTmp)
		var out bytes.Buffer
		compile.Stdout = io.MultiWriter(log, &out)
		compile.Stderr = compile.Stdout
		started := time.Now()
		err := compile.Run()
		if d := time.Since(started); d > slowCompile {
			fmt.Fprintf(log, "durable-build: compiled the program workerd runs in %.0fs\n", d.Seconds())
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("compiling %s with its generated RPC dispatch failed: %v\n(the Worker compiled without it, so this is a bug in durable-build or a type it cannot name; the generated code is in the go build errors above)", pkg, err)
		}
		return nil
	}
	if err := build(""); err != nil {
		return err
	}
	// A program that makes no outbound request is linked again without the
	// runtime's outbound transport, which is what keeps Go's own (and TLS)
	// in the module (outbound.go).
	wasm, err := os.ReadFile(wasmPath)
	if err != nil {
		return err
	}
	if makesOutboundRequests(wasm) {
		return nil
	}
	return build(noOutboundTag)
}

// dispatchOverlay writes the dispatch code for desc's RPC types into tmp,
// one file per package that gets some, and the overlay file that adds them
// to their packages for go build. It returns the overlay's path, or "" when
// the Worker has no RPC types.
//
// An exported type's dispatch goes into the program's main package, which
// imports the type's package; an unexported type's goes into the package
// that declares it, the only one that can name it. That package must not be
// in the module cache, which go build does not let an overlay add to.
func dispatchOverlay(goTool, pkg string, desc *describe.Description, tmp string) (string, error) {
	byPkg := map[string][]describe.RPCType{}
	seen := map[string]bool{}
	for _, class := range slices.Sorted(maps.Keys(desc.Types)) {
		t := desc.Types[class]
		key := fmt.Sprintf("%s.%s.%v", t.PkgPath, t.Name, t.Pointer)
		if seen[key] {
			continue
		}
		seen[key] = true
		into := t.PkgPath
		if token.IsExported(t.Name) {
			into = "main"
		}
		byPkg[into] = append(byPkg[into], t)
	}
	if len(byPkg) == 0 {
		return "", nil
	}
	modCache, err := goEnv(goTool, "GOMODCACHE")
	if err != nil {
		return "", err
	}
	replace := map[string]string{}
	for _, path := range slices.Sorted(maps.Keys(byPkg)) {
		types := byPkg[path]
		lookup := path
		if path == "main" {
			lookup = pkg // the program's own package
		}
		dir, name, err := packageDir(goTool, lookup)
		if err != nil {
			return "", err
		}
		if rel, err := filepath.Rel(modCache, dir); modCache != "" && err == nil && filepath.IsLocal(rel) {
			return "", fmt.Errorf("Worker.RPC declares type %s.%s, which is unexported in a module durable-build cannot add code to (%s): export the type, or declare the Durable Object in your own module", path, types[0].Name, dir)
		}
		if _, err := os.Stat(filepath.Join(dir, dispatchFile)); err == nil {
			return "", fmt.Errorf("%s: durable-build adds a generated file of this name to the package in its build; rename yours", filepath.Join(dir, dispatchFile))
		}
		src, err := dispatchSource(name, path, types)
		if err != nil {
			return "", err
		}
		file := filepath.Join(tmp, fmt.Sprintf("dispatch%d.go", len(replace)))
		if err := os.WriteFile(file, src, 0o644); err != nil {
			return "", err
		}
		replace[filepath.Join(dir, dispatchFile)] = file
	}
	overlay, _ := json.Marshal(map[string]any{"Replace": replace})
	path := filepath.Join(tmp, "overlay.json")
	return path, os.WriteFile(path, overlay, 0o644)
}

// packageDir is the folder and package name of the package at path (an
// import path or a folder pattern), as go build for js/wasm sees it.
func packageDir(goTool, path string) (dir, name string, err error) {
	cmd := exec.Command(goTool, "list", "-f", "{{.Dir}}\t{{.Name}}", path)
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", "", fmt.Errorf("finding package %s, which declares an RPC type: %v\n%s", path, err, stderr.String())
	}
	dir, name, ok := strings.Cut(strings.TrimSpace(string(out)), "\t")
	if !ok || dir == "" {
		return "", "", fmt.Errorf("finding package %s, which declares an RPC type: go list printed %q", path, out)
	}
	return dir, name, nil
}

// dispatchSource is the dispatch file for package pkgName (import path
// pkgPath, "main" for the program's), which gets types: an init that
// registers each type's methods with rpcdispatch, each method called through
// a method expression ((*T).Method), and one generic adapter per method
// shape, whose type parameters Go infers from the method expression, so that
// no argument or result type needs naming. Types of other packages are
// reached through imports.
func dispatchSource(pkgName, pkgPath string, types []describe.RPCType) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by durable-build for this build only; DO NOT EDIT.\n\npackage %s\n\n", pkgName)
	shapes := map[string]describe.RPCMethod{}
	imports := map[string]string{} // alias by import path
	var body bytes.Buffer
	body.WriteString("func init() {\n")
	for _, t := range types {
		name := t.Name
		if t.PkgPath != pkgPath {
			alias, ok := imports[t.PkgPath]
			if !ok {
				alias = fmt.Sprintf("durablepkg%d", len(imports))
				imports[t.PkgPath] = alias
			}
			name = alias + "." + t.Name
		}
		recv, expr := name, name
		if t.Pointer {
			recv, expr = "*"+name, "(*"+name+")"
		}
		fmt.Fprintf(&body, "\tdurablerpc.Register[%s](\n", recv)
		for _, m := range t.Methods {
			shape := shapeName(m)
			shapes[shape] = m
			fmt.Fprintf(&body, "\t\tdurablerpc.Method{Name: %q, GoName: %q, Ctx: %v, Args: %d, Result: %v, Err: %v, Call: %s(%s.%s)},\n",
				m.Name, m.GoName, m.Ctx, m.Args, m.Result, m.Err, shape, expr, m.GoName)
		}
		body.WriteString("\t)\n")
	}
	body.WriteString("}\n")
	b.WriteString("import (\n\tdurablectx \"context\"\n\n")
	for _, path := range slices.Sorted(maps.Keys(imports)) {
		fmt.Fprintf(&b, "\t%s %q\n", imports[path], path)
	}
	b.WriteString("\tdurablerpc \"github.com/durableobjects-on-go/durable/workerd/rpcdispatch\"\n)\n\n")
	b.Write(body.Bytes())
	for _, shape := range slices.Sorted(maps.Keys(shapes)) {
		b.WriteString("\n")
		writeAdapter(&b, shape, shapes[shape])
	}
	src, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("generated RPC dispatch for package %s does not parse (a bug in durable-build): %w\n%s", pkgName, err, b.Bytes())
	}
	return src, nil
}

// shapeName names the adapter for m's signature: durableRPC, the argument
// count, then C for a context, R for a result, E for an error.
func shapeName(m describe.RPCMethod) string {
	s := fmt.Sprintf("durableRPC%d", m.Args)
	if m.Ctx {
		s += "C"
	}
	if m.Result {
		s += "R"
	}
	if m.Err {
		s += "E"
	}
	return s
}

// writeAdapter writes the generic function that turns a method expression
// of m's shape into a durablerpc.Method's Call.
func writeAdapter(b *bytes.Buffer, name string, m describe.RPCMethod) {
	params := []string{"T"}
	fparams := []string{"T"}
	callArgs := []string{"obj.(T)"}
	if m.Ctx {
		fparams = append(fparams, "durablectx.Context")
		callArgs = append(callArgs, "ctx")
	}
	for i := 1; i <= m.Args; i++ {
		params = append(params, fmt.Sprintf("A%d", i))
		fparams = append(fparams, fmt.Sprintf("A%d", i))
		callArgs = append(callArgs, fmt.Sprintf("a%d", i))
	}
	results := ""
	switch {
	case m.Result && m.Err:
		params = append(params, "R")
		results = " (R, error)"
	case m.Result:
		params = append(params, "R")
		results = " R"
	case m.Err:
		results = " error"
	}
	ctxName := "_"
	if m.Ctx {
		ctxName = "ctx"
	}
	argName := "_"
	if m.Args > 0 {
		argName = "arg"
	}
	fmt.Fprintf(b, "func %s[%s any](f func(%s)%s) func(durablectx.Context, any, func(int, any) error) (any, error) {\n",
		name, strings.Join(params, ", "), strings.Join(fparams, ", "), results)
	fmt.Fprintf(b, "\treturn func(%s durablectx.Context, obj any, %s func(int, any) error) (any, error) {\n", ctxName, argName)
	for i := 1; i <= m.Args; i++ {
		fmt.Fprintf(b, "\t\tvar a%d A%d\n\t\tif err := arg(%d, &a%[1]d); err != nil {\n\t\t\treturn nil, err\n\t\t}\n", i, i, i-1)
	}
	call := fmt.Sprintf("f(%s)", strings.Join(callArgs, ", "))
	switch {
	case m.Result && m.Err:
		fmt.Fprintf(b, "\t\tr, err := %s\n\t\treturn r, err\n", call)
	case m.Result:
		fmt.Fprintf(b, "\t\treturn %s, nil\n", call)
	case m.Err:
		fmt.Fprintf(b, "\t\treturn nil, %s\n", call)
	default:
		fmt.Fprintf(b, "\t\t%s\n\t\treturn nil, nil\n", call)
	}
	b.WriteString("\t}\n}\n")
}
