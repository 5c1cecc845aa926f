//go:build unix

package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// stopSignals are the signals that interrupt a build: it then stops its
// compiler, removes its staging folder and exits, leaving the last good build.
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

// command runs a tool of the build (go build, node) in a process group of its
// own, and cancelling ctx interrupts the whole group: go build then stops its
// compiler and linker and removes its work folder, where killing only the go
// command would leave them running.
func command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
	}
	cmd.WaitDelay = 10 * time.Second
	return cmd
}

// processRuns reports whether the process pid still runs (signal 0 checks it
// without sending anything).
func processRuns(pid int, _ time.Time) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
