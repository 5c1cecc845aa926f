package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// A program that sends requests through an http.Client is seen as one, and
// keeps the outbound transport; one that sends none is seen as such, and
// without the transport its module is megabytes smaller.
func TestMakesOutboundRequests(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles Go for js/wasm")
	}
	build := func(pkg, tags string) []byte {
		t.Helper()
		out := filepath.Join(t.TempDir(), "app.wasm")
		cmd := exec.Command("go", "build", "-buildvcs=false", "-ldflags=-s -w", "-tags="+tags, "-o", out, pkg)
		cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", pkg, err, b)
		}
		wasm, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return wasm
	}
	if !makesOutboundRequests(build("./testdata/outbound/client", "")) {
		t.Error("a program that calls http.DefaultClient.Do was not seen to make requests")
	}
	plain := build("./testdata/outbound/noclient", "")
	if makesOutboundRequests(plain) {
		t.Error("a program that sends no request was seen to make some")
	}
	lean := build("./testdata/outbound/noclient", noOutboundTag)
	t.Logf("without outbound requests: %d bytes with the transport, %d without", len(plain), len(lean))
	if len(plain)-len(lean) < 1<<20 {
		t.Errorf("leaving the transport out saved %d bytes, want over 1 MiB", len(plain)-len(lean))
	}
}
