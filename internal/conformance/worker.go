package conformance

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/durableobjects-on-go/durable"
)

// Binding names and the variable the conformance Worker's configuration
// (worker/wrangler.jsonc) declares.
const (
	ScenarioBinding = "SCENARIO" // class Scenario
	// KVBackedBinding binds class LegacyScenario, whose storage is KV-backed.
	KVBackedBinding  = "LEGACY_SCENARIO"
	PeerBinding      = "PEER"       // class Peer
	PeerAliasBinding = "PEER_ALIAS" // class Peer again, under a second name
	VarName          = "CONFORMANCE_VAR"
	VarValue         = "conformance"
)

// Config adapts the Worker to a runtime.
type Config struct {
	// Restart restarts the object with the given ID of the namespace bound as
	// binding (ScenarioBinding or KVBackedBinding): its Go instance goes
	// away, its storage stays, as when workerd evicts an object.
	Restart func(ctx context.Context, binding string, id durable.ID) error
}

// Worker is the conformance Worker: a front handler that runs scenarios, the
// Scenario class they run in, and the Peer class they talk to.
func Worker(cfg Config) durable.Worker {
	return durable.Worker{
		Front: func(env durable.Env) http.Handler { return newFront(env, cfg) },
		Objects: map[string]durable.Constructor{
			"Scenario":       newScenarioObject,
			"LegacyScenario": newScenarioObject,
			"Peer":           newPeer,
		},
		RPC: map[string]any{"Peer": (*peer)(nil)}, // rpc.go
	}
}

type front struct {
	env durable.Env
	cfg Config
	mux *http.ServeMux
}

func newFront(env durable.Env, cfg Config) http.Handler {
	f := &front{env: env, cfg: cfg, mux: http.NewServeMux()}
	f.mux.HandleFunc("GET /scenarios", f.list)
	f.mux.HandleFunc("POST /run/{name...}", f.runOne)
	f.mux.HandleFunc("GET /run-all", f.runAll)
	return f.mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (f *front) list(w http.ResponseWriter, r *http.Request) {
	type entry struct {
		Name  string `json:"name"`
		Steps int    `json:"steps"`
	}
	all := Scenarios()
	out := struct {
		Count     int     `json:"count"`
		Scenarios []entry `json:"scenarios"`
	}{Count: len(all), Scenarios: make([]entry, len(all))}
	for i, s := range all {
		out.Scenarios[i] = entry{s.Name, len(s.Steps)}
	}
	writeJSON(w, http.StatusOK, out)
}

func (f *front) runOne(w http.ResponseWriter, r *http.Request) {
	s, ok := Lookup(r.PathValue("name"))
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no scenario " + r.PathValue("name")})
		return
	}
	writeJSON(w, http.StatusOK, f.run(r.Context(), s))
}

func (f *front) runAll(w http.ResponseWriter, r *http.Request) {
	out := struct {
		Count   int      `json:"count"`
		Passed  int      `json:"passed"`
		Failed  []string `json:"failed"`
		Reports []Report `json:"reports"`
	}{Failed: []string{}}
	for _, s := range Scenarios() {
		rep := f.run(r.Context(), s)
		out.Count++
		if rep.Passed {
			out.Passed++
		} else {
			out.Failed = append(out.Failed, s.Name)
		}
		out.Reports = append(out.Reports, rep)
	}
	writeJSON(w, http.StatusOK, out)
}

// run runs every step of s in one fresh Scenario object, restarting it between
// steps.
func (f *front) run(ctx context.Context, s Scenario) Report {
	total := Report{Name: s.Name, Steps: len(s.Steps), Passed: true, Log: []string{}}
	fail := func(format string, args ...any) Report {
		total.Passed = false
		total.Log = append(total.Log, "FAIL: "+fmt.Sprintf(format, args...))
		return total
	}
	binding := ScenarioBinding
	if s.KVBacked {
		binding = KVBackedBinding
	}
	ns, err := f.env.Namespace(binding)
	if err != nil {
		return fail("%v", err)
	}
	total.Object = s.Name + "@" + randomHex(6)
	id := ns.IDFromName(total.Object)
	stub := ns.Get(id)
	for i := range s.Steps {
		if i > 0 {
			if err := f.restart(ctx, binding, id); err != nil {
				return fail("restarting before step %d: %v", i, err)
			}
		}
		target := fmt.Sprintf("https://scenario/step?name=%s&object=%s&step=%d", url.QueryEscape(s.Name), url.QueryEscape(total.Object), i)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, nil)
		if err != nil {
			return fail("%v", err)
		}
		resp, err := stub.Fetch(req)
		if err != nil {
			return fail("step %d: stub fetch: %v", i, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var rep Report
		if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &rep) != nil {
			return fail("step %d: status %d: %s", i, resp.StatusCode, body)
		}
		for _, line := range rep.Log {
			total.Log = append(total.Log, fmt.Sprintf("step %d: %s", i, line))
		}
		if !rep.Passed {
			total.Passed = false
			return total
		}
	}
	return total
}

func (f *front) restart(ctx context.Context, binding string, id durable.ID) error {
	if f.cfg.Restart == nil {
		return errors.New("this runtime cannot restart objects: Config.Restart is nil")
	}
	return f.cfg.Restart(ctx, binding, id)
}

// scenarioObject is the Durable Object a scenario's steps run in.
type scenarioObject struct {
	state    durable.State
	env      durable.Env
	instance string
}

func newScenarioObject(state durable.State, env durable.Env) (durable.Object, error) {
	return &scenarioObject{state: state, env: env, instance: randomHex(8)}, nil
}

func (s *scenarioObject) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/step":
		q := r.URL.Query()
		sc, ok := Lookup(q.Get("name"))
		step, err := strconv.Atoi(q.Get("step"))
		if !ok || err != nil {
			http.Error(w, "bad step request", http.StatusBadRequest)
			return
		}
		o := &Object{Name: q.Get("object"), State: s.state, Env: s.env, Ctx: r.Context(), Instance: s.instance}
		writeJSON(w, http.StatusOK, RunStep(sc, step, o))
	default:
		http.NotFound(w, r)
	}
}

// peer is the object scenarios talk to through stubs.
type peer struct {
	state    durable.State
	env      durable.Env
	instance string
	mux      *http.ServeMux

	mu      sync.Mutex
	watched chan error // what the goroutine started by /watch-context saw
}

func newPeer(state durable.State, env durable.Env) (durable.Object, error) {
	p := &peer{state: state, env: env, instance: randomHex(8), mux: http.NewServeMux()}
	if _, err := state.Storage().SQL().Exec(`CREATE TABLE IF NOT EXISTS counter (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
		CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY AUTOINCREMENT, what TEXT NOT NULL)`); err != nil {
		return nil, err
	}
	p.mux.HandleFunc("/echo", p.echo)
	p.mux.HandleFunc("/ws", p.webSocket)         // websocket.go
	p.mux.HandleFunc("/ws-auto", p.autoResponse) // websocket.go
	p.mux.HandleFunc("/ws-conn", p.conn)         // websocket.go
	p.mux.HandleFunc("/status", p.status)
	p.mux.HandleFunc("POST /incr", p.incr)
	p.mux.HandleFunc("GET /count", p.count)
	p.mux.HandleFunc("GET /events", p.events)
	p.mux.HandleFunc("GET /instance", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, p.instance) })
	p.mux.HandleFunc("GET /id", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %s", p.state.ID().String(), p.state.ID().Name())
	})
	p.mux.HandleFunc("/panic", func(http.ResponseWriter, *http.Request) { panic("peer panics on purpose") })
	p.mux.HandleFunc("/sleep", p.sleep)
	p.mux.HandleFunc("/spin", p.spin)
	p.mux.HandleFunc("/call", p.call)
	p.mux.HandleFunc("/big", p.big)
	p.mux.HandleFunc("/headers", p.headers)
	p.mux.HandleFunc("/kv", p.kv)
	p.mux.HandleFunc("POST /fk-violation", p.fkViolation)
	p.mux.HandleFunc("POST /watch-context", p.watchContext)
	p.mux.HandleFunc("/late-header", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Early", "sent")
		w.WriteHeader(http.StatusAccepted)
		w.Header().Set("X-Late", "too late")
		w.Header().Set("X-Early", "changed too late")
		io.WriteString(w, "late")
	})
	p.mux.HandleFunc("GET /context-ended", p.contextEnded)
	p.lifecycleRoutes()
	return p, nil
}

func (p *peer) ServeHTTP(w http.ResponseWriter, r *http.Request) { p.mux.ServeHTTP(w, r) }

// echoed is what /echo answers.
type echoed struct {
	Method        string              `json:"method"`
	URL           string              `json:"url"`
	Host          string              `json:"host"`
	Path          string              `json:"path"`
	Query         string              `json:"query"`
	Header        map[string][]string `json:"header"`
	Body          string              `json:"body"`
	ContentLength int64               `json:"contentLength"`
}

func (p *peer) echo(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	e := echoed{Method: r.Method, URL: r.URL.String(), Host: r.Host, Path: r.URL.Path, Query: r.URL.RawQuery,
		Header: r.Header, Body: string(body), ContentLength: r.ContentLength}
	if v := r.URL.Query().Get("reply"); v != "" {
		w.Header().Set("X-Reply", v)
	}
	status := http.StatusOK
	if s, err := strconv.Atoi(r.URL.Query().Get("status")); err == nil {
		status = s
	}
	writeJSON(w, status, e)
}

func (p *peer) status(w http.ResponseWriter, r *http.Request) {
	code, _ := strconv.Atoi(r.URL.Query().Get("code"))
	if ct := r.URL.Query().Get("type"); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	w.WriteHeader(code)
	io.WriteString(w, r.URL.Query().Get("body"))
}

// incr reads, then writes, with no await in between: atomic on both runtimes.
func (p *peer) incr(w http.ResponseWriter, r *http.Request) {
	sql := p.state.Storage().SQL()
	p.record(r, "incr")
	var n int64
	res, err := sql.Exec(`SELECT n FROM counter WHERE id = 1`)
	if err == nil && len(res.Rows) == 1 {
		err = res.One(&n)
	}
	if err == nil {
		_, err = sql.Exec(`INSERT INTO counter (id, n) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET n = excluded.n`, n+1)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	fmt.Fprint(w, n+1)
}

// record appends what to the events table when the request asks for it (?log=1),
// so a scenario can read back the order in which handlers ran.
func (p *peer) record(r *http.Request, what string) {
	if r.URL.Query().Get("log") != "" {
		p.state.Storage().SQL().Exec(`INSERT INTO events (what) VALUES (?)`, what)
	}
}

// events answers the recorded events in order, comma-separated.
func (p *peer) events(w http.ResponseWriter, r *http.Request) {
	res, err := p.state.Storage().SQL().Exec(`SELECT group_concat(what, ',') FROM (SELECT what FROM events ORDER BY seq)`)
	var list sql.NullString
	if err == nil {
		err = res.One(&list)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	io.WriteString(w, list.String)
}

func (p *peer) count(w http.ResponseWriter, r *http.Request) {
	var n int64
	res, err := p.state.Storage().SQL().Exec(`SELECT coalesce(max(n), 0) FROM counter`)
	if err == nil {
		err = res.One(&n)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	fmt.Fprint(w, n)
}

func (p *peer) sleep(w http.ResponseWriter, r *http.Request) {
	ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
	select {
	case <-time.After(time.Duration(ms) * time.Millisecond):
		io.WriteString(w, "slept")
	case <-r.Context().Done():
		http.Error(w, "cancelled", http.StatusServiceUnavailable)
	}
}

// spin keeps the CPU busy without blocking, so no other event of this object can
// run meanwhile (on workerd the isolate is single-threaded).
func (p *peer) spin(w http.ResponseWriter, r *http.Request) {
	ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
	p.record(r, "spin-start")
	end := time.Now().Add(time.Duration(ms) * time.Millisecond)
	n := 0
	for time.Now().Before(end) {
		n++
	}
	p.record(r, "spin-end")
	fmt.Fprintf(w, "spun %d", n)
}

// call fetches path on the peer named name (in binding, default PEER) and relays
// the answer: the await lets other events of this peer run.
func (p *peer) call(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	binding := q.Get("binding")
	if binding == "" {
		binding = PeerBinding
	}
	ns, err := p.env.Namespace(binding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var target durable.ID
	if q.Get("self") != "" {
		target = p.state.ID()
	} else {
		target = ns.IDFromName(q.Get("name"))
	}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, "https://peer"+q.Get("path"), nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	p.record(r, "call-start")
	resp, err := ns.Get(target).Fetch(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}

func (p *peer) big(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.Atoi(r.URL.Query().Get("n"))
	body, _ := io.ReadAll(r.Body)
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("X-Request-Length", strconv.Itoa(len(body)))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i % 251)
	}
	w.Write(b)
}

func (p *peer) headers(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Add("X-Multi", "one")
	h.Add("X-Multi", "two")
	h.Add("Set-Cookie", "a=1")
	h.Add("Set-Cookie", "b=2")
	h.Set("X-Padded", "  padded  ")
	io.WriteString(w, "headers")
}

// kv serves GET ?key= and PUT ?key= (body is the value) on the peer's KV.
func (p *peer) kv(w http.ResponseWriter, r *http.Request) {
	key := r.URL.Query().Get("key")
	kv := p.state.Storage().KV()
	switch r.Method {
	case http.MethodPut:
		body, _ := io.ReadAll(r.Body)
		if err := kv.Put(key, body); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	default:
		v, ok, err := kv.Get(key)
		switch {
		case err != nil:
			http.Error(w, err.Error(), http.StatusInternalServerError)
		case !ok:
			http.Error(w, "missing", http.StatusNotFound)
		default:
			w.Write(v)
		}
	}
}

// fkViolation writes in one turn what SQLite can only refuse when the turn's
// implicit transaction commits: a row that breaks a deferred foreign key, with a
// KV write and a new table beside it. The handler itself sees no error.
func (p *peer) fkViolation(w http.ResponseWriter, r *http.Request) {
	sql := p.state.Storage().SQL()
	_, err := sql.Exec(`PRAGMA defer_foreign_keys = ON`)
	if err == nil {
		_, err = sql.Exec(`CREATE TABLE fk_parent (id INTEGER PRIMARY KEY);
			CREATE TABLE fk_child (p INTEGER REFERENCES fk_parent (id));
			INSERT INTO fk_child VALUES (404)`)
	}
	if err == nil {
		err = p.state.Storage().KV().Put("fk-turn", []byte("written"))
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	io.WriteString(w, "answered")
}

// watchContext starts a goroutine that waits for the request's context to end,
// and returns; /context-ended then tells what the goroutine saw.
func (p *peer) watchContext(w http.ResponseWriter, r *http.Request) {
	ended := make(chan error, 1)
	p.mu.Lock()
	p.watched = ended
	p.mu.Unlock()
	ctx := r.Context()
	go func() {
		<-ctx.Done()
		ended <- ctx.Err()
	}()
	if err := ctx.Err(); err != nil {
		http.Error(w, "the context ended while the handler ran: "+err.Error(), http.StatusInternalServerError)
		return
	}
	io.WriteString(w, "watching")
}

func (p *peer) contextEnded(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	ended := p.watched
	p.mu.Unlock()
	if ended == nil {
		http.Error(w, "nothing watched", http.StatusNotFound)
		return
	}
	select {
	case err := <-ended:
		fmt.Fprint(w, err)
	case <-time.After(5 * time.Second):
		http.Error(w, "the context of the returned handler has not ended after 5s", http.StatusGatewayTimeout)
	}
}

// peerStub returns a stub for the peer of the given name in binding.
func peerStub(t T, o *Object, binding, name string) durable.Stub {
	t.Helper()
	ns, err := o.Env.Namespace(binding)
	must(t, err, "Namespace("+binding+")")
	return ns.Get(ns.IDFromName(name))
}

// call makes a request to a stub and returns the status, the response and its
// body.
func call(t T, o *Object, stub durable.Stub, method, target string, body io.Reader, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(o.Ctx, method, target, body)
	must(t, err, "NewRequest")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	resp, err := stub.Fetch(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	must(t, err, "reading body")
	return resp, string(b)
}

func text(s string) io.Reader { return strings.NewReader(s) }
