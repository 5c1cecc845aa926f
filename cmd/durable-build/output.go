package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A build writes a set of files that only work together (app.wasm, the
// runtime's modules, wasm_exec.mjs and the entry module that imports them), so
// it writes them into a staging folder beside the output folder (the folder of
// "main") and swaps that folder in once the whole set is written and checked.
// A failed, interrupted or killed build leaves the last good set as it was;
// a reader never sees half of a set. On Linux the swap is one atomic exchange;
// elsewhere it is two renames.

// stagingMarks name the staging folder (.build.new-PID) and the previous build
// on its way out (.build.old-PID), beside the output folder build.
const (
	stagingNew = ".new-"
	stagingOld = ".old-"
)

// outputExts are the kinds of file an output folder may hold besides those
// its last build listed in its manifest: what builds write. A folder holding
// anything else (Go sources, a configuration, a subfolder) is not the build's
// own, and swapping it out would lose them.
var outputExts = []string{".mjs", ".js", ".wasm", ".map"}

// manifestName is the file in the output folder that lists the files the
// build wrote, one a line, so that the next build knows them as its own
// whatever their kind.
const manifestName = ".durable-build-outputs"

// staging is a build's private folder for its outputs.
type staging struct {
	dir    string // the staging folder
	outDir string // the output folder it replaces
}

// stageOutputs checks that the build may replace outDir, clears what killed
// builds left beside it, and creates the staging folder. It runs before the
// compiler, so a folder the build cannot write fails in a second, not after a
// minute of compiling.
func stageOutputs(outDir string) (*staging, error) {
	outDir = filepath.Clean(outDir)
	// A symbolic link to the output folder stays: the folder it points to is
	// the one replaced.
	if info, err := os.Lstat(outDir); err == nil && info.Mode()&fs.ModeSymlink != 0 {
		if resolved, err := filepath.EvalSymlinks(outDir); err == nil {
			outDir = resolved
		}
	}
	parent, base := filepath.Dir(outDir), filepath.Base(outDir)
	removeStaleStaging(parent, base)
	if err := checkOutDir(outDir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, unwritable(outDir, filepath.Dir(outDir), err)
	}
	dir := filepath.Join(parent, "."+base+stagingNew+strconv.Itoa(os.Getpid()))
	os.RemoveAll(dir) // a folder of a dead build that had this process ID
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, unwritable(outDir, filepath.Dir(outDir), err)
	}
	return &staging{dir: dir, outDir: outDir}, nil
}

// unwritable says that the build cannot write outDir, and which folder to
// make writable.
func unwritable(outDir, fix string, err error) error {
	if fix == "." {
		fix = "the current folder"
	}
	return fmt.Errorf("cannot write the build's output folder %s: %w: make %s writable, or set \"main\" to a path in a folder you can write", outDir, err, fix)
}

// checkOutDir fails when outDir is not a folder the build may replace: a file,
// a folder it cannot write, or a folder holding files builds do not write.
func checkOutDir(outDir string) error {
	info, err := os.Lstat(outDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return unwritable(outDir, filepath.Dir(outDir), err)
	}
	if !info.IsDir() {
		return fmt.Errorf("the build's output folder %s is a file, not a folder: move it away, or set \"main\" to a path in another folder", outDir)
	}
	// A read-only output folder says "do not write here": respect it even where
	// the swap, which writes only beside it, would get through.
	probe, err := os.CreateTemp(outDir, ".durable-build-probe-*")
	if err != nil {
		return unwritable(outDir, outDir, err)
	}
	probe.Close()
	os.Remove(probe.Name())
	entries, err := os.ReadDir(outDir)
	if err != nil {
		return unwritable(outDir, filepath.Dir(outDir), err)
	}
	manifest, _ := os.ReadFile(filepath.Join(outDir, manifestName))
	written := strings.Split(string(manifest), "\n")
	var foreign []string
	for _, e := range entries {
		name := e.Name()
		if e.Type().IsRegular() && (strings.HasPrefix(name, ".") || slices.Contains(outputExts, filepath.Ext(name)) || slices.Contains(written, name)) {
			continue
		}
		if e.IsDir() {
			name += "/"
		}
		foreign = append(foreign, name)
	}
	if len(foreign) > 0 {
		if len(foreign) > 5 {
			foreign = append(foreign[:5], "…")
		}
		return fmt.Errorf("the build's output folder %s holds files a build does not write (%s), and a build replaces that whole folder: move them out of %[1]s, or set \"main\" to a path in a folder of its own, such as \"dist/worker.mjs\"", outDir, strings.Join(foreign, ", "))
	}
	return nil
}

// path is where the output named name is staged.
func (s *staging) path(name string) string { return filepath.Join(s.dir, name) }

// write stages one output.
func (s *staging) write(name string, content []byte) error {
	if err := os.WriteFile(s.path(name), content, 0o644); err != nil {
		return unwritable(s.outDir, filepath.Dir(s.outDir), err)
	}
	return nil
}

// discard removes the staging folder: the build failed, was interrupted, or
// its folder was swapped in (then it is gone already).
func (s *staging) discard() { os.RemoveAll(s.dir) }

// commit puts the staged outputs in place of the output folder, all at once,
// with the manifest of what it holds.
func (s *staging) commit() error {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return unwritable(s.outDir, filepath.Dir(s.outDir), err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if err := s.write(manifestName, []byte(strings.Join(names, "\n")+"\n")); err != nil {
		return err
	}
	if _, err := os.Lstat(s.outDir); errors.Is(err, fs.ErrNotExist) {
		if err := os.Rename(s.dir, s.outDir); err == nil {
			return nil
		} else if _, serr := os.Lstat(s.outDir); serr != nil {
			return unwritable(s.outDir, filepath.Dir(s.outDir), err)
		}
		// A concurrent build created the folder meanwhile: swap with it.
	}
	err = exchange(s.dir, s.outDir)
	if err == nil {
		// The staging folder now holds the previous build.
		os.RemoveAll(s.dir)
		return nil
	}
	if !errors.Is(err, errors.ErrUnsupported) {
		return unwritable(s.outDir, filepath.Dir(s.outDir), err)
	}
	// Two renames: between them the folder is missing for an instant, and a
	// build killed there leaves the previous build in .build.old-PID.
	old := filepath.Join(filepath.Dir(s.outDir), "."+filepath.Base(s.outDir)+stagingOld+strconv.Itoa(os.Getpid()))
	os.RemoveAll(old)
	if err := os.Rename(s.outDir, old); err != nil {
		return unwritable(s.outDir, filepath.Dir(s.outDir), err)
	}
	if err := os.Rename(s.dir, s.outDir); err != nil {
		os.Rename(old, s.outDir)
		return unwritable(s.outDir, filepath.Dir(s.outDir), err)
	}
	os.RemoveAll(old)
	return nil
}

// staleAge is how old a staging folder must be to be removed on systems where
// the build cannot tell whether the process that made it still runs.
const staleAge = time.Hour

// removeStaleStaging removes the staging folders of builds that were killed
// before they could (.build.new-PID and .build.old-PID of a PID that no longer
// runs), so they do not pile up beside the output folder. When the output
// folder itself is missing, a build killed between the two renames of a
// swap left the previous build in .build.old-PID: it goes back in place.
func removeStaleStaging(parent, base string) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), "."+base)
		if !ok || !e.IsDir() {
			continue
		}
		var pidText string
		var isOld bool
		if p, ok := strings.CutPrefix(rest, stagingNew); ok {
			pidText = p
		} else if p, ok := strings.CutPrefix(rest, stagingOld); ok {
			pidText, isOld = p, true
		} else {
			continue
		}
		pid, err := strconv.Atoi(pidText)
		if err != nil || pid == os.Getpid() {
			continue
		}
		path := filepath.Join(parent, e.Name())
		if info, err := e.Info(); err != nil || processRuns(pid, info.ModTime()) {
			continue
		}
		if isOld {
			if _, err := os.Lstat(filepath.Join(parent, base)); errors.Is(err, fs.ErrNotExist) && os.Rename(path, filepath.Join(parent, base)) == nil {
				continue
			}
		}
		os.RemoveAll(path)
	}
}
