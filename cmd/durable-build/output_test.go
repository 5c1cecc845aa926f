package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestStagingCommit swaps a staged set in for the first build and for the
// next, and checks that each leaves exactly its own files.
func TestStagingCommit(t *testing.T) {
	out := filepath.Join(t.TempDir(), "build")
	for i, files := range []map[string]string{
		{"worker.mjs": "first", "app.wasm": "1", "stale.mjs": "gone next time", "types.d.ts": "listed in the manifest"},
		{"worker.mjs": "second", "app.wasm": "2"},
	} {
		s, err := stageOutputs(out)
		if err != nil {
			t.Fatal(err)
		}
		for name, content := range files {
			if err := s.write(name, []byte(content)); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.commit(); err != nil {
			t.Fatalf("build %d: %v", i, err)
		}
		s.discard()
		entries, _ := os.ReadDir(out)
		if len(entries) != len(files)+1 {
			t.Errorf("build %d: build/ holds %d files, want %d and the manifest", i, len(entries), len(files))
		}
		for name, content := range files {
			if got, err := os.ReadFile(filepath.Join(out, name)); err != nil || string(got) != content {
				t.Errorf("build %d: %s = %q, %v", i, name, got, err)
			}
		}
		siblings, _ := os.ReadDir(filepath.Dir(out))
		if len(siblings) != 1 {
			t.Errorf("build %d: beside build/: %v", i, siblings)
		}
	}
}

// TestRemoveStaleStaging clears the folders of dead builds, keeps those of
// running ones, and puts back a previous build that a build killed between
// the two renames of a swap left aside.
func TestRemoveStaleStaging(t *testing.T) {
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skip("no true command to get a dead process ID")
	}
	deadPID := strconv.Itoa(dead.Process.Pid)
	livePID := strconv.Itoa(os.Getppid())
	parent := t.TempDir()
	for _, name := range []string{".build.new-" + deadPID, ".build.new-" + livePID, ".build.old-" + deadPID, ".other.new-" + deadPID} {
		if err := os.Mkdir(filepath.Join(parent, name), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, filepath.Join(parent, ".build.old-"+deadPID), "worker.mjs", "previous")
	removeStaleStaging(parent, "build")
	var left []string
	entries, _ := os.ReadDir(parent)
	for _, e := range entries {
		left = append(left, e.Name())
	}
	if got, want := strings.Join(left, " "), ".build.new-"+livePID+" .other.new-"+deadPID+" build"; got != want {
		t.Errorf("left %q, want %q", got, want)
	}
	if got, _ := os.ReadFile(filepath.Join(parent, "build", "worker.mjs")); string(got) != "previous" {
		t.Errorf("the previous build was not put back: %q", got)
	}
}

func TestLoadConfigRefusesMainBesideConfig(t *testing.T) {
	dir := t.TempDir()
	for _, main := range []string{"worker.mjs", "./worker.mjs", "../worker.mjs"} {
		_, err := loadConfig(writeFile(t, dir, "wrangler.jsonc", `{"main": "`+main+`"}`))
		if err == nil || !strings.Contains(err.Error(), `a build replaces the whole folder of "main", so give the generated files a folder of their own, such as "build/worker.mjs"`) {
			t.Errorf("main %q: err = %v", main, err)
		}
	}
	for _, main := range []string{"build/worker.mjs", "../out/worker.mjs", "dist/sub/index.js"} {
		if _, err := loadConfig(writeFile(t, dir, "wrangler.jsonc", `{"main": "`+main+`"}`)); err != nil {
			t.Errorf("main %q: %v", main, err)
		}
	}
}
