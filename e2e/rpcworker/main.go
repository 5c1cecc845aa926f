// Command rpcworker is the Go Worker of the RPC end-to-end test
// (e2e/rpc.test.mjs). Its Counter object serves RPC; its front handler runs
// the Go-to-Go and Go-to-JavaScript checks on workerd and reports what
// differed, and the JavaScript Worker in e2e/rpcjs calls Counter directly.
//
// Build it from the repository root:
//
//	go run ./cmd/durable-build -config e2e/rpcworker/wrangler.jsonc ./e2e/rpcworker
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/workerd"
)

func main() {
	workerd.Serve(durable.Worker{
		Front:   front,
		Objects: map[string]durable.Constructor{"Counter": newCounter},
		RPC:     map[string]any{"Counter": (*Counter)(nil)},
	})
}

// ErrTooBig crosses calls by its code.
var ErrTooBig = &durable.RPCError{Code: "too_big", Message: "the step is too big"}

// Counter counts in SQL, and echoes values for the mapping checks.
type Counter struct {
	sql   durable.SQL
	env   durable.Env
	state durable.State
	// release lets a /stream request go on past its first event: a /release
	// request sends on it.
	release chan struct{}
}

func newCounter(state durable.State, env durable.Env) (durable.Object, error) {
	sql := state.Storage().SQL()
	_, err := sql.Exec(`CREATE TABLE IF NOT EXISTS n (v INTEGER NOT NULL)`)
	return &Counter{sql: sql, env: env, state: state, release: make(chan struct{})}, err
}

// ServeHTTP serves what the forwarding test reaches through the front
// handler's Stub.ServeHTTP: an echo of the request, a streamed body, and a
// WebSocket that echoes.
func (c *Counter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case strings.HasSuffix(r.URL.Path, "/ws"):
		conn, err := c.state.AcceptConn(w, r)
		if err != nil {
			durable.RefuseUpgrade(w)
			return
		}
		go func() {
			defer conn.Close(1000, "bye")
			for {
				typ, data, err := conn.Read(context.Background())
				if err != nil {
					return
				}
				conn.Write(context.Background(), typ, append([]byte("echo: "), data...))
			}
		}()
	case strings.HasSuffix(r.URL.Path, "/stream"):
		// The first event goes out alone: the rest waits for /release, which
		// the test sends only once it has read the first.
		w.Header().Set("Content-Type", "text/event-stream")
		for i := range 3 {
			fmt.Fprintf(w, "data: %d\n\n", i)
			w.(http.Flusher).Flush()
			if i == 0 {
				select {
				case <-c.release:
				case <-time.After(10 * time.Second):
				}
			}
		}
	case strings.HasSuffix(r.URL.Path, "/release"):
		select {
		case c.release <- struct{}{}:
			io.WriteString(w, "released")
		case <-time.After(10 * time.Second):
			http.Error(w, "no stream waits", http.StatusConflict)
		}
	default:
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Object", c.state.ID().Name())
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, "%s %s?%s %q", r.Method, r.URL.Path, r.URL.RawQuery, body)
	}
}

// Increment adds step and returns the new total.
func (c *Counter) Increment(step int) (int, error) {
	if step > 1000 {
		return 0, fmt.Errorf("increment by %d: %w", step, ErrTooBig)
	}
	if _, err := c.sql.Exec(`INSERT INTO n VALUES (?)`, step); err != nil {
		return 0, err
	}
	var total int
	res, err := c.sql.Exec(`SELECT sum(v) FROM n`)
	if err == nil {
		err = res.One(&total)
	}
	return total, err
}

// Echo returns its argument as Go received it.
func (c *Counter) Echo(v any) any { return v }

// EchoRecord returns its argument through a Go struct.
func (c *Counter) EchoRecord(r Record) Record { return r }

// Describe says what Go received, for the JavaScript caller's checks.
func (c *Counter) Describe(v any) string { return fmt.Sprintf("%T %v", v, v) }

// Explode panics with a text the caller must not see.
func (c *Counter) Explode() error { panic("secret: the panic's text stays in the log") }

// Huge returns an integer JavaScript cannot hold.
func (c *Counter) Huge() int64 { return 1 << 60 }

// Sleep waits, or ends with the call's context.
func (c *Counter) Sleep(ctx context.Context, ms int) error {
	select {
	case <-time.After(time.Duration(ms) * time.Millisecond):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Relay calls another Counter by RPC from inside this object.
func (c *Counter) Relay(ctx context.Context, name string, step int) (int, error) {
	ns, err := c.env.Namespace("COUNTER")
	if err != nil {
		return 0, err
	}
	return durable.Call[int](ctx, ns.Get(ns.IDFromName(name)), "increment", step)
}

// AskJS calls the JavaScript object from inside this object.
func (c *Counter) AskJS(ctx context.Context, a, b int) (int, error) {
	ns, err := c.env.Namespace("JS")
	if err != nil {
		return 0, err
	}
	return durable.Call[int](ctx, ns.Get(ns.IDFromName("js")), "add", a, b)
}

// Record holds every row of the value mapping.
type Record struct {
	Int     int               `json:"int"`
	Neg     int64             `json:"neg"`
	Uint    uint32            `json:"uint"`
	Float   float64           `json:"float"`
	Text    string            `json:"text"`
	Yes     bool              `json:"yes"`
	Bytes   []byte            `json:"bytes"`
	When    time.Time         `json:"when"`
	List    []string          `json:"list"`
	Grid    [][]int           `json:"grid"`
	Map     map[string]int    `json:"map"`
	Ptr     *Inner            `json:"ptr"`
	NilPtr  *Inner            `json:"nilPtr"`
	Any     any               `json:"any"`
	Skipped string            `json:"-"`
	Omitted string            `json:"omitted,omitempty"`
	Nested  map[string][]bool `json:"nested"`
}

// Inner is a struct behind a pointer.
type Inner struct {
	Name string `json:"name"`
}

func sample() Record {
	return Record{
		Int: 42, Neg: -durable.MaxSafeInteger, Uint: 4_000_000_000, Float: 0.1,
		Text: "héllo, 世界 😀", Yes: true, Bytes: []byte{0, 1, 254, 255},
		When: time.UnixMilli(1_764_489_600_123).UTC(), List: []string{"a", ""},
		Grid: [][]int{{1, 2}, {}}, Map: map[string]int{"x": 1}, Ptr: &Inner{"in"},
		Any:    map[string]any{"n": int64(3), "f": 1.5, "l": []any{"s", true, nil}},
		Nested: map[string][]bool{"k": {true, false}},
	}
}

func front(env durable.Env) http.Handler {
	counters, err := env.Namespace("COUNTER")
	if err != nil {
		panic(err)
	}
	js, err := env.Namespace("JS")
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	// /fwd/{name}/... forwards to Counter {name} in one line.
	mux.HandleFunc("/fwd/{name}/", func(w http.ResponseWriter, r *http.Request) {
		counters.GetByName(r.PathValue("name")).ServeHTTP(w, r)
	})
	// /go-go/{name} runs the Go-to-Go checks against Counter {name}.
	mux.HandleFunc("/go-go/{name}", func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		var c checks
		stub := counters.Get(counters.IDFromName(r.PathValue("name")))
		n, err := durable.Call[int](ctx, stub, "increment", 2)
		c.equal("increment", n, 2, err)
		n, err = durable.Call[int](ctx, stub, "increment", 3)
		c.equal("increment again", n, 5, err)
		rec, err := durable.Call[Record](ctx, stub, "echoRecord", sample())
		c.equal("echoRecord", rec, sample(), err)
		v, err := durable.Call[any](ctx, stub, "echo", sample().Any)
		c.equal("echo any", v, sample().Any, err)
		b, err := durable.Call[[]byte](ctx, stub, "echo", []byte("bytes"))
		c.equal("echo bytes", b, []byte("bytes"), err)

		_, err = durable.Call[int](ctx, stub, "increment", 5000)
		var se *durable.StubError
		c.that("error code matches", errors.Is(err, ErrTooBig) && errors.As(err, &se) && se.Remote && se.Message == "increment by 5000: the step is too big", err)
		_, err = durable.Call[any](ctx, stub, "nope")
		c.that("unknown method", err != nil && strings.Contains(err.Error(), "nope"), err)
		_, err = durable.Call[any](ctx, stub, "increment")
		c.that("no argument", err != nil && strings.Contains(err.Error(), "takes 1 argument(s), got 0"), err)
		_, err = durable.Call[any](ctx, stub, "increment", "x")
		c.that("wrong type", err != nil && strings.Contains(err.Error(), "argument 1 is a JavaScript string, which does not convert to Go's int"), err)
		_, err = durable.Call[any](ctx, stub, "explode")
		c.that("panic", err != nil && strings.Contains(err.Error(), "internal error in Counter.explode") && !strings.Contains(err.Error(), "secret"), err)
		_, err = durable.Call[any](ctx, stub, "huge")
		c.that("unrepresentable result", err != nil && strings.Contains(err.Error(), "its result cannot be sent"), err)
		_, err = durable.Call[any](ctx, stub, "echo", int64(1)<<60)
		c.that("unrepresentable argument", errors.Is(err, durable.ErrIntegerRange), err)
		_, err = durable.Call[any](ctx, stub, "echo", make(chan int))
		c.that("chan argument", errors.Is(err, durable.ErrUnsupportedType), err)
		n, err = durable.Call[int](ctx, stub, "increment", 1)
		c.equal("still serving", n, 6, err)

		short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		start := time.Now()
		_, err = durable.Call[any](short, stub, "sleep", 2000)
		cancel()
		c.that("caller's cancellation", errors.Is(err, context.DeadlineExceeded) && time.Since(start) < time.Second, err)

		n, err = durable.Call[int](ctx, stub, "relay", r.PathValue("name")+"-other", 7)
		c.equal("object calls object", n, 7, err)

		eu, err := counters.Jurisdiction("eu")
		c.that("jurisdiction is a no-op locally", err == nil, err)
		if err == nil {
			n, err = durable.Call[int](ctx, eu.WithLocationHint("weur").GetByName(r.PathValue("name")+"-placed"), "increment", 4)
			c.equal("located stub", n, 4, err)
		}
		c.report(w)
	})
	// /bench/{kind}?n= makes n sequential calls of one kind, for
	// bench/rpc.mjs, which times the request: rpc (Go to Go), fetch (Go to
	// Go over HTTP) or js (Go to JavaScript).
	mux.HandleFunc("/bench/{kind}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		stub := counters.GetByName("bench")
		jsStub := js.GetByName("bench")
		for range n {
			var err error
			switch r.PathValue("kind") {
			case "rpc":
				_, err = durable.Call[int](r.Context(), stub, "echo", 1)
			case "fetch":
				var req *http.Request
				req, err = http.NewRequestWithContext(r.Context(), http.MethodGet, "https://counter/echo", nil)
				if err == nil {
					var resp *http.Response
					if resp, err = stub.Fetch(req); err == nil {
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
					}
				}
			case "js":
				_, err = durable.Call[int](r.Context(), jsStub, "add", 1, 1)
			}
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		fmt.Fprint(w, n)
	})
	// /go-js runs the Go-to-JavaScript checks.
	mux.HandleFunc("/go-js", func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		var c checks
		stub := js.Get(js.IDFromName("js"))
		n, err := durable.Call[int](ctx, stub, "add", 2, 3)
		c.equal("add", n, 5, err)
		rec, err := durable.Call[Record](ctx, stub, "echo", sample())
		c.equal("echo record", rec, sample(), err)
		_, err = durable.Call[any](ctx, stub, "fail")
		var se *durable.StubError
		c.that("thrown error", errors.As(err, &se) && se.Remote && se.Code == "js_no" && se.Message == "js says no" && errors.Is(err, &durable.RPCError{Code: "js_no"}), err)
		_, err = durable.Call[any](ctx, stub, "aMap")
		c.that("unreceivable result", err != nil && strings.Contains(err.Error(), "cannot be received in Go"), err)
		_, err = durable.Call[any](ctx, stub, "missing")
		c.that("missing method", err != nil, err)
		n, err = durable.Call[int](ctx, counters.Get(counters.IDFromName("asker")), "askJS", 4, 5)
		c.equal("Go object calls JS object", n, 9, err)
		c.report(w)
	})
	return mux
}

// checks collects what differed.
type checks struct{ failed []string }

func (c *checks) equal(name string, got, want any, err error) {
	if err != nil {
		c.failed = append(c.failed, fmt.Sprintf("%s: %v", name, err))
	} else if !reflect.DeepEqual(got, want) {
		c.failed = append(c.failed, fmt.Sprintf("%s: got %#v, want %#v", name, got, want))
	}
}

func (c *checks) that(name string, ok bool, err error) {
	if !ok {
		c.failed = append(c.failed, fmt.Sprintf("%s: got %v", name, err))
	}
}

func (c *checks) report(w http.ResponseWriter) {
	w.Header().Set("content-type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"failed": append([]string{}, c.failed...)})
}
