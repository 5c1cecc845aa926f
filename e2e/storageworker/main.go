// Command storageworker is the Worker of the storage end-to-end tests
// (e2e/storage.test.mjs): what the conformance suite cannot show, such as the
// Go memory a large result takes to iterate.
//
// Build it from the repository root:
//
//	go run ./cmd/durable-build -config e2e/storageworker/wrangler.jsonc ./e2e/storageworker
package main

import (
	"encoding/json"
	"io"
	"net/http"
	"runtime"
	"strconv"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/workerd"
)

func main() {
	workerd.Serve(durable.Worker{
		Front: front,
		Objects: map[string]durable.Constructor{
			"Big":    newBig,
			"Legacy": newLegacy,
		},
	})
}

// front routes /{binding}/{name}/{op} to the named object of a binding.
func front(env durable.Env) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/{binding}/{name}/{op}", func(w http.ResponseWriter, r *http.Request) {
		ns, err := env.Namespace(r.PathValue("binding"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		req, _ := http.NewRequestWithContext(r.Context(), r.Method, "https://object/"+r.PathValue("op")+"?"+r.URL.RawQuery, r.Body)
		resp, err := ns.Get(ns.IDFromName(r.PathValue("name"))).Fetch(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	})
	return mux
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// big holds a large table and reads it back, lazily or whole.
type big struct {
	sql durable.SQL
}

func newBig(state durable.State, env durable.Env) (durable.Object, error) {
	b := &big{sql: state.Storage().SQL()}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /seed", b.seed)
	mux.HandleFunc("GET /iterate", b.iterate)
	mux.HandleFunc("GET /exec", b.exec)
	return mux, nil
}

// seed fills the table with n rows of about 100 bytes.
func (b *big) seed(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.Atoi(r.URL.Query().Get("n"))
	_, err := b.sql.Exec(`CREATE TABLE IF NOT EXISTS big (n INTEGER PRIMARY KEY, label TEXT NOT NULL);
		DELETE FROM big`)
	if err == nil {
		_, err = b.sql.Exec(`WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?)
			INSERT INTO big SELECT x, printf('row %08d ', x) || hex(randomblob(44)) FROM c`, n)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, map[string]int{"rows": n})
}

// memory samples the Go heap: what a result costs while it is read.
type memory struct {
	Rows       int    `json:"rows"`
	Sum        int64  `json:"sum"`
	HeapBefore uint64 `json:"heapBefore"` // live heap before reading (after a GC)
	HeapPeak   uint64 `json:"heapPeak"`   // largest heap seen while reading
	Sys        uint64 `json:"sys"`        // memory Go has from the WebAssembly instance
}

func (m *memory) start() {
	runtime.GC()
	var s runtime.MemStats
	runtime.ReadMemStats(&s)
	m.HeapBefore, m.HeapPeak = s.HeapAlloc, s.HeapAlloc
}

func (m *memory) sample() {
	var s runtime.MemStats
	runtime.ReadMemStats(&s)
	m.HeapPeak = max(m.HeapPeak, s.HeapAlloc)
	m.Sys = s.Sys
}

type row struct {
	N     int64  `durable:"n"`
	Label string `durable:"label"`
}

// iterate reads every row through durable.Query, sampling the heap every
// 1,000 rows (unless ?sample=0, for timing).
func (b *big) iterate(w http.ResponseWriter, r *http.Request) {
	var m memory
	sample := r.URL.Query().Get("sample") != "0"
	m.start()
	for v, err := range durable.Query[row](b.sql, `SELECT n, label FROM big ORDER BY n`) {
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		m.Rows++
		m.Sum += v.N
		if sample && m.Rows%1000 == 0 {
			m.sample()
		}
	}
	m.sample()
	writeJSON(w, m)
}

// exec reads every row with Exec, which holds the whole result.
func (b *big) exec(w http.ResponseWriter, r *http.Request) {
	var m memory
	m.start()
	res, err := b.sql.Exec(`SELECT n, label FROM big ORDER BY n`)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	rows, err := durable.Rows[row](res)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	m.sample()
	for _, v := range rows {
		m.Rows++
		m.Sum += v.N
	}
	writeJSON(w, m)
}
