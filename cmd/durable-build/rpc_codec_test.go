package main

import (
	"encoding/hex"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/durableobjects-on-go/durable/internal/rpcvalue"
)

// TestRPCCodecMatchesGo runs js/rpc.mjs under Node.js: what it encodes, Go
// decodes to the same values, and what Go encodes, it decodes to the same
// JavaScript values, so the two halves of the wire format cannot drift apart.
func TestRPCCodecMatchesGo(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH")
	}
	goSide := []any{1.5, int64(-3), "héllo 😀", nil, true, []byte{0, 255}, time.UnixMilli(1234).UTC(), []any{int64(1), []any{}}, map[string]any{"k": "v"}}
	vs := make([]rpcvalue.Value, len(goSide))
	for i, x := range goSide {
		if vs[i], err = rpcvalue.FromGo(x, "seed"); err != nil {
			t.Fatal(err)
		}
	}
	goHex := hex.EncodeToString(rpcvalue.MarshalList(vs))
	script := `
import { encodeArgs, decode } from "./js/rpc.mjs";
const hex = (b) => Buffer.from(b).toString("hex");
const fromGo = decode(Buffer.from(process.argv[1], "hex"));
const same = JSON.stringify(fromGo, (k, v) => (v instanceof Uint8Array ? [...v] : v)) ===
  JSON.stringify([1.5, -3, "héllo 😀", null, true, [0, 255], new Date(1234), [1, []], { k: "v" }]);
console.log(same ? "same" : "differs: " + JSON.stringify(fromGo));
console.log(hex(encodeArgs([1.5, -3, "héllo 😀", null, true, new Uint8Array([0, 255]), new Date(1234), [1, []], { k: "v" }])));
`
	cmd := exec.Command(node, "--input-type=module", "-e", script, goHex)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 2 || lines[0] != "same" {
		t.Fatalf("JavaScript decoded Go's bytes differently: %s", out)
	}
	b, _ := hex.DecodeString(lines[1])
	got, err := rpcvalue.UnmarshalList(b)
	if err != nil {
		t.Fatal(err)
	}
	var back []any
	for _, v := range got {
		var x any
		if err := rpcvalue.ToGo(v, &x, "value"); err != nil {
			t.Fatal(err)
		}
		back = append(back, x)
	}
	if !reflect.DeepEqual(back, goSide) {
		t.Fatalf("Go decoded JavaScript's bytes as %#v, want %#v", back, goSide)
	}
	if lines[1] != goHex {
		t.Errorf("the encodings differ:\n js %s\n go %s", lines[1], goHex)
	}
}
