//go:build unix

package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// slowLinker is a -toolexec wrapper: when go build starts linking, it writes
// its process ID to $DURABLE_TEST_MARKER and sleeps instead, so the test
// interrupts a build that is surely in the middle of go build. Other tools,
// and the linker's version query, run as they are.
const slowLinker = `#!/bin/sh
case "$1" in
*/link)
	if [ "$2" != "-V=full" ]; then
		echo $$ > "$DURABLE_TEST_MARKER.tmp" && mv "$DURABLE_TEST_MARKER.tmp" "$DURABLE_TEST_MARKER"
		exec sleep 120
	fi
	;;
esac
exec "$@"
`

// slowBuild is a durable-build run with the slow linker.
type slowBuild struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer
	done   chan error // cmd.Wait's result
	linker int        // the slow linker's process ID
}

// startSlowBuild starts durable-build in dir with the slow linker and waits
// until go build links.
func startSlowBuild(t *testing.T, dir string) *slowBuild {
	t.Helper()
	// A changed source, so that go build compiles and links rather than
	// finding the program in its cache.
	src, _ := os.ReadFile(filepath.Join(dir, "main.go"))
	writeFile(t, dir, "main.go", string(src)+"\n// changed\n")
	wrapper := writeFile(t, t.TempDir(), "slow-linker", slowLinker)
	os.Chmod(wrapper, 0o755)
	marker := filepath.Join(t.TempDir(), "linking")

	b := &slowBuild{cmd: exec.Command(commandPath), done: make(chan error, 1)}
	b.cmd.Dir = dir
	b.cmd.Env = append(os.Environ(), "WRANGLER_COMMAND=", "GOFLAGS=-toolexec="+wrapper, "DURABLE_TEST_MARKER="+marker)
	b.cmd.Stderr = &b.stderr
	if err := b.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { b.done <- b.cmd.Wait() }()
	timeout := time.After(5 * time.Minute) // a cold cache compiles the standard library
	for {
		select {
		case err := <-b.done:
			t.Fatalf("durable-build exited (%v) before go build linked; stderr:\n%s", err, b.stderr.String())
		case <-timeout:
			b.cmd.Process.Kill()
			<-b.done
			t.Fatalf("go build did not start linking within 5 minutes; stderr:\n%s", b.stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
		if content, err := os.ReadFile(marker); err == nil {
			pid, err := strconv.Atoi(strings.TrimSpace(string(content)))
			if err != nil {
				t.Fatalf("marker %q", content)
			}
			b.linker = pid
			t.Cleanup(func() { stopGroup(pid) })
			return b
		}
	}
}

// stopGroup interrupts the process group of pid (go build and the slow
// linker, when durable-build was killed and left them) and waits until pid
// is gone, at most a minute.
func stopGroup(pid int) {
	if pgid, err := syscall.Getpgid(pid); err == nil {
		syscall.Kill(-pgid, syscall.SIGINT)
	}
	for range 600 {
		if syscall.Kill(pid, 0) != nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	syscall.Kill(pid, syscall.SIGKILL)
}

// wait waits for the build to exit, at most two minutes, and returns how it
// ended.
func (b *slowBuild) wait(t *testing.T) *os.ProcessState {
	t.Helper()
	select {
	case err := <-b.done:
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Fatal(err)
		}
		return b.cmd.ProcessState
	case <-time.After(2 * time.Minute):
		b.cmd.Process.Kill()
		<-b.done
		t.Fatal("durable-build did not exit within two minutes of the signal")
		return nil
	}
}

// TestBuildInterrupted interrupts a build (Ctrl-C, SIGINT) while go build
// runs: it stops go build, removes what it staged, says so and exits 130.
func TestBuildInterrupted(t *testing.T) {
	dir := builtProject(t)
	b := startSlowBuild(t, dir)
	// go build does not catch SIGINT, so it leaves its work folder: that
	// folder must be in the staging folder, which the build removes.
	if work, _ := filepath.Glob(filepath.Join(dir, ".build.new-*", "go-tmp", "go-build*")); len(work) != 1 {
		t.Errorf("go build's work folder is not in the staging folder: %v", work)
	}
	if err := b.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	state := b.wait(t)
	checkFailure(t, state.ExitCode(), b.stderr.String(),
		"durable-build: interrupted before it finished, and nothing of this build was kept; the last good build in build/ is unchanged: run durable-build again to build")
	if state.ExitCode() != 130 {
		t.Errorf("exit code %d, want 130", state.ExitCode())
	}
	checkIntact(t, dir)
	for range 300 {
		if syscall.Kill(b.linker, 0) != nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Error("the linker go build ran still runs 30 s after the build was interrupted")
}

// TestBuildKilled kills a build (SIGKILL, which it cannot catch) while go
// build runs: the last good build stays whole, and the next build removes
// the staging folder the killed one left.
func TestBuildKilled(t *testing.T) {
	dir := builtProject(t)
	b := startSlowBuild(t, dir)
	staging := filepath.Join(dir, ".build.new-"+strconv.Itoa(b.cmd.Process.Pid))
	if err := b.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	b.wait(t)
	stopGroup(b.linker) // the go build the killed command left running
	if _, err := os.Stat(staging); err != nil {
		t.Errorf("the killed build left no staging folder %s (%v); this test expects one for the next build to clear", staging, err)
	}
	want := snapshot(t, filepath.Join(goodProject, "build"))
	got := snapshot(t, filepath.Join(dir, "build"))
	for name, content := range want {
		if !bytes.Equal(got[name], content) {
			t.Errorf("build/%s changed", name)
		}
	}
	if len(got) != len(want) {
		t.Errorf("build/ holds %d files, want %d", len(got), len(want))
	}

	code, stderr := runCommand(dir, nil)
	if code != 0 {
		t.Fatalf("the next build failed (exit %d):\n%s", code, stderr)
	}
	checkNoStaging(t, dir)
	if _, err := os.Stat(filepath.Join(dir, "build", "app.wasm")); err != nil {
		t.Error(err)
	}
}
