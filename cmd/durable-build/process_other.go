//go:build !unix

package main

import (
	"context"
	"os"
	"os/exec"
	"time"
)

// stopSignals are the signals that interrupt a build: it then stops its
// compiler, removes its staging folder and exits, leaving the last good build.
var stopSignals = []os.Signal{os.Interrupt}

// command runs a tool of the build; cancelling ctx kills it.
func command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.WaitDelay = 10 * time.Second
	return cmd
}

// processRuns cannot ask the system here, so a staging folder counts as its
// build's until it is an hour old.
func processRuns(_ int, modified time.Time) bool {
	return time.Since(modified) < staleAge
}
