// Command worker is the Go side of npm run bench: a Worker whose Bench Durable
// Object runs one small workload per route, so that bench/run.mjs can time each
// against bench/worker.js.mjs, the same Worker written in JavaScript. Both do the
// same work and give the same answers; keep them in step when either changes.
//
// Routes (GET, on the front worker):
//
//	/front         answered by the front worker alone (no object)
//	/plain/{name}  the object named name answers a fixed text, no storage
//	/hey/{name}    SQL counter: upsert a count and read it back (the village's Greeter)
//	/bulk/{name}   one transaction replaces 100 rows, then all 100 are read back
//	/kv/{name}     the sync KV API: put a value, then get it back
//
// Build it from the repository root with
//
//	go run ./cmd/durable-build -config bench/worker/wrangler.jsonc ./bench/worker
package main

import (
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/workerd"
)

// BulkRows is how many rows /bulk writes in one transaction and reads back.
const BulkRows = 100

func main() {
	workerd.Serve(durable.Worker{
		Front:   newFront,
		Objects: map[string]durable.Constructor{"Bench": newBench},
	})
}

// newFront routes /{workload}/{name} to the object named name.
func newFront(env durable.Env) http.Handler {
	ns, err := env.Namespace("BENCH")
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /front", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "front\n")
	})
	for _, workload := range []string{"plain", "hey", "bulk", "kv"} {
		mux.HandleFunc("GET /"+workload+"/{name}", func(w http.ResponseWriter, r *http.Request) {
			stub := ns.Get(ns.IDFromName(r.PathValue("name")))
			req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, "https://bench/"+workload, nil)
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			resp, err := stub.Fetch(req)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			defer resp.Body.Close()
			w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
			w.WriteHeader(resp.StatusCode)
			io.Copy(w, resp.Body)
		})
	}
	return mux
}

// bench is one Bench object.
type bench struct {
	name    string
	storage durable.Storage
	sql     durable.SQL
	kv      durable.KV
	puts    int // KV puts so far by this instance, to vary the stored value
	mux     *http.ServeMux
}

func newBench(state durable.State, env durable.Env) (durable.Object, error) {
	b := &bench{
		name:    state.ID().Name(),
		storage: state.Storage(),
		sql:     state.Storage().SQL(),
		kv:      state.Storage().KV(),
		mux:     http.NewServeMux(),
	}
	if _, err := b.sql.Exec(`CREATE TABLE IF NOT EXISTS visits (
		id    INTEGER PRIMARY KEY CHECK (id = 1),
		count INTEGER NOT NULL
	);
	CREATE TABLE IF NOT EXISTS items (
		id    INTEGER PRIMARY KEY,
		label TEXT NOT NULL
	)`); err != nil {
		return nil, err
	}
	b.mux.HandleFunc("POST /plain", b.plain)
	b.mux.HandleFunc("POST /hey", b.hey)
	b.mux.HandleFunc("POST /bulk", b.bulk)
	b.mux.HandleFunc("POST /kv", b.kvPutGet)
	return b, nil
}

// ServeHTTP implements durable.Object.
func (b *bench) ServeHTTP(w http.ResponseWriter, r *http.Request) { b.mux.ServeHTTP(w, r) }

func text(w http.ResponseWriter, s string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, s)
}

func (b *bench) plain(w http.ResponseWriter, r *http.Request) {
	text(w, "Hello, "+b.name+"\n")
}

func (b *bench) hey(w http.ResponseWriter, r *http.Request) {
	var count int64
	res, err := b.sql.Exec(`INSERT INTO visits (id, count) VALUES (1, 1)
		ON CONFLICT (id) DO UPDATE SET count = count + 1
		RETURNING count`)
	if err == nil {
		err = res.One(&count)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	text(w, fmt.Sprintf("Hey: %s\n%d\n", b.name, count))
}

func (b *bench) bulk(w http.ResponseWriter, r *http.Request) {
	err := b.storage.Transaction(func() error {
		if _, err := b.sql.Exec(`DELETE FROM items`); err != nil {
			return err
		}
		for i := range BulkRows {
			if _, err := b.sql.Exec(`INSERT INTO items (id, label) VALUES (?, ?)`, i, "item "+strconv.Itoa(i)); err != nil {
				return err
			}
		}
		return nil
	})
	var n, sum int64
	var length int
	if err == nil {
		var res *durable.Result
		res, err = b.sql.Exec(`SELECT id, label FROM items ORDER BY id`)
		for i := 0; err == nil && res != nil && i < len(res.Rows); i++ {
			var id int64
			var label string
			err = res.Rows[i].Scan(&id, &label)
			n++
			sum += id
			length += len(label)
		}
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	text(w, fmt.Sprintf("%d rows, ids sum to %d, labels %d bytes\n", n, sum, length))
}

func (b *bench) kvPutGet(w http.ResponseWriter, r *http.Request) {
	b.puts++
	if err := b.kv.Put("greeting", []byte("Hello, "+b.name+" #"+strconv.Itoa(b.puts))); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	value, ok, err := b.kv.Get("greeting")
	if err == nil && !ok {
		err = fmt.Errorf("greeting: not found after put")
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	text(w, string(value)+"\n")
}
