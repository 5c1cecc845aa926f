package conformance

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/durableobjects-on-go/durable"
)

// RPC: the Peer's exported methods below are its RPC methods (Worker.RPC
// declares *peer). Every row of the value mapping, the errors a caller can
// branch on, bad calls, cancellation and a reset, the same on both runtimes.

// errRPCNotFound crosses a call by its code.
var errRPCNotFound = &durable.RPCError{Code: "not_found", Message: "no such thing"}

// RPCRecord holds every row of the value mapping.
type RPCRecord struct {
	Int    int               `json:"int"`
	Max    int64             `json:"max"`
	Min    int64             `json:"min"`
	Uint   uint64            `json:"uint"`
	Float  float64           `json:"float"`
	Inf    float64           `json:"inf"`
	Text   string            `json:"text"`
	Yes    bool              `json:"yes"`
	Bytes  []byte            `json:"bytes"`
	Empty  []byte            `json:"empty"`
	When   time.Time         `json:"when"`
	List   []string          `json:"list"`
	Array  [2]int            `json:"array"`
	Map    map[string]int    `json:"map"`
	Nested map[string][]bool `json:"nested"`
	Ptr    *RPCInner         `json:"ptr"`
	NilPtr *RPCInner         `json:"nilPtr"`
	NilMap map[string]string `json:"nilMap"`
	Any    any               `json:"any"`
	Skip   string            `json:"-"`
	Omit   string            `json:"omit,omitempty"`
	RPCInner
}

// RPCInner is reached through a pointer, and embedded.
type RPCInner struct {
	Name string `json:"name"`
}

func rpcSample() RPCRecord {
	return RPCRecord{
		Int: -7, Max: durable.MaxSafeInteger, Min: -durable.MaxSafeInteger, Uint: 1 << 40,
		Float: 0.1, Inf: math.Inf(1), Text: "héllo 世界 😀", Yes: true,
		Bytes: []byte{0, 1, 255}, Empty: []byte{}, When: time.UnixMilli(1_764_489_600_123).UTC(),
		List: []string{"a", ""}, Array: [2]int{1, 2}, Map: map[string]int{"k": 1},
		Nested: map[string][]bool{"n": {true, false}}, Ptr: &RPCInner{"p"},
		Any:      map[string]any{"i": int64(3), "f": 2.5, "s": "x", "l": []any{true, nil}, "b": []byte{7}},
		RPCInner: RPCInner{"embedded"},
	}
}

// Echo returns its argument as received.
func (p *peer) Echo(v any) any { return v }

// EchoRecord returns a record through Go's types.
func (p *peer) EchoRecord(r RPCRecord) (RPCRecord, error) { return r, nil }

// Add adds; it checks the argument count and types.
func (p *peer) Add(a, b int) int { return a + b }

// Find fails with a coded error.
func (p *peer) Find(name string) (string, error) {
	return "", fmt.Errorf("find %q: %w", name, errRPCNotFound)
}

// Explode panics: the caller must not see the panic's text.
func (p *peer) Explode() { panic("secret panic text") }

// Huge returns an integer JavaScript cannot hold.
func (p *peer) Huge() int64 { return 1 << 60 }

// Nap sleeps unless the call's context ends first.
func (p *peer) Nap(ctx context.Context, ms int) error {
	select {
	case <-time.After(time.Duration(ms) * time.Millisecond):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Remember writes to storage inside the call, then reads it back.
func (p *peer) Remember(key, value string) (string, error) {
	kv := p.state.Storage().KV()
	if err := kv.Put(key, []byte(value)); err != nil {
		return "", err
	}
	v, _, err := kv.Get(key)
	return string(v), err
}

// Instance identifies the Go instance, which a reset replaces.
func (p *peer) Instance() string { return p.instance }

// Reset aborts the object from inside a call.
func (p *peer) Reset() { p.state.Abort("reset by an RPC call") }

func remoteError(t T, err error, want string) *durable.StubError {
	t.Helper()
	var se *durable.StubError
	if !errors.As(err, &se) {
		t.Errorf("got %v, want a *durable.StubError with %q", err, want)
		return nil
	}
	if !se.Remote || !strings.Contains(se.Message, want) {
		t.Errorf("got %+v, want a remote error with %q", se, want)
	}
	return se
}

func init() {
	add("rpc/values", func(t T, o *Object) {
		stub := peerStub(t, o, PeerBinding, o.Unique("rpc"))
		got, err := durable.Call[RPCRecord](o.Ctx, stub, "echoRecord", rpcSample())
		must(t, err, "echoRecord")
		if want := rpcSample(); !reflect.DeepEqual(got, want) {
			t.Errorf("echoRecord:\n got %#v\nwant %#v", got, want)
		}
		anyv, err := durable.Call[any](o.Ctx, stub, "echo", []any{1, 1.5, "s", nil, true, []byte{1}})
		must(t, err, "echo")
		same(t, "echo into any", anyv, []any{int64(1), 1.5, "s", nil, true, []byte{1}})
		n, err := durable.Call[int](o.Ctx, stub, "add", 2, 3)
		must(t, err, "add")
		same(t, "add", n, 5)
		v, err := durable.Call[string](o.Ctx, stub, "remember", "k", "stored in a call")
		must(t, err, "remember")
		same(t, "remember", v, "stored in a call")
		_, got2 := call(t, o, stub, http.MethodGet, "https://peer/kv?key=k", nil)
		same(t, "written by RPC, read by fetch", got2, "stored in a call")
	})
	add("rpc/errors", func(t T, o *Object) {
		stub := peerStub(t, o, PeerBinding, o.Unique("rpc"))
		_, err := durable.Call[string](o.Ctx, stub, "find", "x")
		se := remoteError(t, err, `find "x": no such thing`)
		if !errors.Is(err, errRPCNotFound) || se == nil || se.Code != "not_found" || se.Retryable || se.Reset {
			t.Errorf("coded error: got %+v, want Code not_found, matched by errors.Is", se)
		}
		_, err = durable.Call[any](o.Ctx, stub, "noSuchMethod")
		if err == nil || !strings.Contains(err.Error(), "noSuchMethod") {
			t.Errorf("unknown method: got %v", err)
		}
		_, err = durable.Call[int](o.Ctx, stub, "add", 1)
		remoteError(t, err, "Peer.add takes 2 argument(s), got 1")
		_, err = durable.Call[int](o.Ctx, stub, "add", 1, "two")
		remoteError(t, err, "argument 2 is a JavaScript string, which does not convert to Go's int")
		_, err = durable.Call[int](o.Ctx, stub, "add", 1, 2.5)
		remoteError(t, err, "argument 2 is 2.5, which is not an integer")
		_, err = durable.Call[any](o.Ctx, stub, "explode")
		remoteError(t, err, "internal error in Peer.explode")
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("the caller saw the panic's text: %v", err)
		}
		_, err = durable.Call[any](o.Ctx, stub, "huge")
		remoteError(t, err, "internal error in Peer.huge: its result cannot be sent")
		for _, arg := range []any{int64(1) << 60, make(chan int), func() {}} {
			_, err = durable.Call[any](o.Ctx, stub, "echo", arg)
			if !errors.Is(err, durable.ErrIntegerRange) && !errors.Is(err, durable.ErrUnsupportedType) {
				t.Errorf("echo(%T): got %v, want ErrIntegerRange or ErrUnsupportedType", arg, err)
			}
		}
		n, err := durable.Call[int](o.Ctx, stub, "add", 20, 22)
		must(t, err, "add after the bad calls")
		same(t, "still serving", n, 42)
	})
	add("rpc/cancel", func(t T, o *Object) {
		stub := peerStub(t, o, PeerBinding, o.Unique("rpc"))
		ctx, cancel := context.WithTimeout(o.Ctx, 30*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := durable.Call[any](ctx, stub, "nap", 3000)
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
			t.Errorf("got %v after %v, want context.DeadlineExceeded soon", err, time.Since(start))
		}
	})
	add("rpc/reset", func(t T, o *Object) {
		name := o.Unique("rpc-reset")
		stub := peerStub(t, o, PeerBinding, name)
		before, err := durable.Call[string](o.Ctx, stub, "instance")
		must(t, err, "instance")
		_, err = durable.Call[any](o.Ctx, stub, "reset")
		var se *durable.StubError
		if !errors.As(err, &se) || !se.Reset || se.Retryable || se.Overloaded || !strings.Contains(se.Message, "reset by an RPC call") {
			t.Fatalf("reset: got %#v, want a StubError with Reset (not Retryable) and the reason", err)
		}
		// The stub that saw the reset stays broken; a new one reaches a new
		// instance.
		if _, err := durable.Call[string](o.Ctx, stub, "instance"); err == nil {
			t.Errorf("the old stub still works after the reset")
		}
		after, err := durable.Call[string](o.Ctx, peerStub(t, o, PeerBinding, name), "instance")
		must(t, err, "instance through a new stub")
		if after == before {
			t.Errorf("the instance survived the reset")
		}
	})
	add("rpc/fetch-reset-is-stub-error", func(t T, o *Object) {
		// A fetch whose object resets fails with the same typed error as a
		// call, so one retry loop serves both.
		name := o.Unique("fetch-reset")
		stub := peerStub(t, o, PeerBinding, name)
		req, _ := http.NewRequestWithContext(o.Ctx, http.MethodPost, "https://peer/abort", nil)
		_, err := stub.Fetch(req)
		var se *durable.StubError
		if !errors.As(err, &se) || !se.Reset || se.Retryable || !strings.Contains(se.Message, "aborted by the conformance suite") {
			t.Fatalf("got %#v, want a StubError with Reset (not Retryable) and the reason", err)
		}
		req, _ = http.NewRequestWithContext(o.Ctx, http.MethodGet, "https://peer/instance", nil)
		if _, err := stub.Fetch(req); !errors.As(err, &se) || !se.Reset {
			t.Errorf("the stub that saw the reset: got %v, want the reset again", err)
		}
		if _, err := durable.Call[string](o.Ctx, stub, "instance"); !errors.As(err, &se) || !se.Reset {
			t.Errorf("a call through that stub: got %v, want the reset again", err)
		}
	})
}
