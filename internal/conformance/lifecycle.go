package conformance

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/durableobjects-on-go/durable"
)

// Lifecycle: BlockConcurrencyWhile, WaitUntil, Abort and Class. A failing
// BlockConcurrencyWhile and Abort reset the object and fail the event, so
// those scenarios drive a peer and look at what its caller sees.

// lifecycleRoutes adds the peer's lifecycle endpoints.
func (p *peer) lifecycleRoutes() {
	// bcw-fail runs a BlockConcurrencyWhile whose function writes, then fails.
	p.mux.HandleFunc("POST /bcw-fail", func(w http.ResponseWriter, r *http.Request) {
		err := p.state.BlockConcurrencyWhile(func(context.Context) error {
			p.state.Storage().KV().Put("bcw", []byte("written before failing"))
			return errors.New("migration failed")
		})
		if errors.Is(err, durable.ErrReset) && strings.Contains(err.Error(), "migration failed") {
			io.WriteString(w, "reset")
			return
		}
		http.Error(w, "BlockConcurrencyWhile returned "+errorText(err), http.StatusInternalServerError)
	})
	// abort writes a KV entry in an earlier request's turn (?keep=), then aborts.
	p.mux.HandleFunc("POST /abort", func(w http.ResponseWriter, r *http.Request) {
		p.state.Abort("aborted by the conformance suite")
		io.WriteString(w, "answered after Abort")
	})
	// wait-until answers at once and writes the KV entry wu=done 20 ms later.
	p.mux.HandleFunc("POST /wait-until", func(w http.ResponseWriter, r *http.Request) {
		p.state.WaitUntil(func(ctx context.Context) {
			time.Sleep(20 * time.Millisecond)
			p.state.Storage().KV().Put("wu", []byte("done"))
		})
		io.WriteString(w, "started")
	})
}

func errorText(err error) string {
	if err == nil {
		return "nil"
	}
	return err.Error()
}

func init() {
	add("lifecycle/class", func(t T, o *Object) {
		same(t, "Class", o.State.Class(), "Scenario")
	})
	add("lifecycle/block-concurrency-while-result", func(t T, o *Object) {
		ran := false
		err := o.State.BlockConcurrencyWhile(func(ctx context.Context) error {
			if _, ok := ctx.Deadline(); !ok {
				t.Errorf("fn's context has no deadline")
			}
			exec(t, o, `CREATE TABLE migrated (v INTEGER)`)
			exec(t, o, `INSERT INTO migrated VALUES (1)`)
			ran = true
			return nil
		})
		must(t, err, "BlockConcurrencyWhile")
		if !ran {
			t.Errorf("fn did not run before BlockConcurrencyWhile returned")
		}
		same(t, "rows", exec(t, o, `SELECT v FROM migrated`).Rows, []durable.Row{{int64(1)}})
	})
	add("lifecycle/block-concurrency-while-error-resets", func(t T, o *Object) {
		name := o.Unique("bcw")
		stub := peerStub(t, o, PeerBinding, name)
		_, before := call(t, o, stub, http.MethodGet, "https://peer/instance", nil)
		req, _ := http.NewRequestWithContext(o.Ctx, http.MethodPost, "https://peer/bcw-fail", nil)
		resp, err := stub.Fetch(req)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			t.Errorf("the caller got a response (%d %q), not an error", resp.StatusCode, body)
		}
		fresh := peerStub(t, o, PeerBinding, name)
		_, after := call(t, o, fresh, http.MethodGet, "https://peer/instance", nil)
		if after == before {
			t.Errorf("the peer kept its instance %s after BlockConcurrencyWhile failed", before)
		}
		// What the failed function wrote is rolled back with the reset.
		if resp, v := call(t, o, fresh, http.MethodGet, "https://peer/kv?key=bcw", nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("the failed function's write survived: %d %q", resp.StatusCode, v)
		}
	})
	add("lifecycle/abort-resets", func(t T, o *Object) {
		name := o.Unique("abort")
		stub := peerStub(t, o, PeerBinding, name)
		_, before := call(t, o, stub, http.MethodGet, "https://peer/instance", nil)
		call(t, o, stub, http.MethodPut, "https://peer/kv?key=kept", text("committed"))
		req, _ := http.NewRequestWithContext(o.Ctx, http.MethodPost, "https://peer/abort", nil)
		resp, err := stub.Fetch(req)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			t.Fatalf("the caller got a response (%d %q), not an error", resp.StatusCode, body)
		}
		if !strings.Contains(err.Error(), "aborted by the conformance suite") {
			t.Errorf("the caller's error does not carry the reason: %v", err)
		}
		fresh := peerStub(t, o, PeerBinding, name)
		_, after := call(t, o, fresh, http.MethodGet, "https://peer/instance", nil)
		if after == before {
			t.Errorf("the peer kept its instance %s after Abort", before)
		}
		_, v := call(t, o, fresh, http.MethodGet, "https://peer/kv?key=kept", nil)
		same(t, "committed value", v, "committed")
	})
	add("lifecycle/wait-until-completes", func(t T, o *Object) {
		stub := peerStub(t, o, PeerBinding, o.Unique("wu"))
		_, body := call(t, o, stub, http.MethodPost, "https://peer/wait-until", nil)
		same(t, "answer", body, "started")
		deadline := time.Now().Add(3 * time.Second)
		for {
			resp, v := call(t, o, stub, http.MethodGet, "https://peer/kv?key=wu", nil)
			if resp.StatusCode == http.StatusOK {
				same(t, "wu", v, "done")
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the WaitUntil function has not written after 3 s (%d %s)", resp.StatusCode, v)
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}
