package main

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/sqlstore"
)

// Worker is the platform Worker; its own file so that a native test can
// reach it.
func Worker() durable.Worker {
	return durable.Worker{
		Front:     front,
		Objects:   map[string]durable.Constructor{"Log": newLog, "Fragile": newFragile},
		Scheduled: scheduled,
		Queue:     queue,
	}
}

// front serves:
//
//	GET  /out?url=U[&timeout=ms]    U fetched with the request's context; the answer as JSON
//	POST /out?url=U                 the request body streamed on to U by Go
//	GET  /out-plain?url=U           U fetched with plain http.Get (refused on workerd)
//	GET  /obj/{name}/out?url=U...   the same as /out, from object Log name
//	GET  /cf                        durable.CF(r) and r.RemoteAddr
//	GET  /fragile/..., /front-panic, /front-exit: failures on purpose (fragile.go)
func front(env durable.Env) http.Handler {
	logs, err := env.Namespace("LOG")
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/out", outbound)
	mux.HandleFunc("GET /out-plain", func(w http.ResponseWriter, r *http.Request) {
		resp, err := http.Get(r.URL.Query().Get("url"))
		if err == nil {
			resp.Body.Close()
		}
		writeJSON(w, map[string]any{"noEventContext": errors.Is(err, durable.ErrNoEventContext), "error": errText(err)})
	})
	mux.HandleFunc("/obj/{name}/{rest...}", func(w http.ResponseWriter, r *http.Request) {
		req, err := http.NewRequestWithContext(r.Context(), r.Method, "https://log/"+r.PathValue("rest")+"?"+r.URL.RawQuery, r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		resp, err := logs.Get(logs.IDFromName(r.PathValue("name"))).Fetch(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	})
	mux.HandleFunc("GET /vars", func(w http.ResponseWriter, r *http.Request) {
		type limits struct {
			MaxUsers int      `json:"maxUsers"`
			Regions  []string `json:"regions"`
		}
		l, lerr := durable.VarJSON[limits](env, "LIMITS")
		rate, rerr := durable.VarJSON[float64](env, "RATE")
		greeting, gerr := durable.VarJSON[string](env, "GREETING")
		secret, _ := env.Var("SECRET")
		_, wrong := durable.VarJSON[[]string](env, "LIMITS")
		_, missing := durable.VarJSON[int](env, "NOPE")
		_, binding := durable.VarJSON[int](env, "LOG")
		_, rateIsText := env.Var("RATE")
		writeJSON(w, map[string]any{
			"limits": l, "rate": rate, "greeting": greeting, "secret": secret,
			"errors":     []string{errText(lerr), errText(rerr), errText(gerr)},
			"wrongType":  map[string]any{"is": errors.Is(wrong, durable.ErrVarType), "error": errText(wrong)},
			"missing":    map[string]any{"is": errors.Is(missing, durable.ErrNoBinding), "error": errText(missing)},
			"binding":    map[string]any{"is": errors.Is(binding, durable.ErrVarType), "error": errText(binding)},
			"rateIsText": rateIsText,
		})
	})
	mux.HandleFunc("POST /kv/{run}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, kvScenario(r.Context(), env, r.PathValue("run")))
	})
	mux.HandleFunc("POST /r2/{run}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, r2Scenario(r.Context(), env, r.PathValue("run")))
	})
	mux.HandleFunc("GET /service", func(w http.ResponseWriter, r *http.Request) {
		out := map[string]any{}
		self, err := env.Service("SELF")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		req, _ := http.NewRequestWithContext(r.Context(), "POST", "https://self/echo-service?x=1", strings.NewReader("ping"))
		req.Header.Set("X-Caller", "go")
		resp, err := self.Do(req)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			out["answer"] = []any{resp.StatusCode, string(b)}
		} else {
			out["answer"] = errText(err)
		}
		req, _ = http.NewRequest("GET", "https://self/echo-service", nil)
		_, err = self.Do(req)
		out["noContext"] = errors.Is(err, durable.ErrNoEventContext)
		_, err = env.Service("CACHE")
		out["wrongBinding"] = []any{errors.Is(err, durable.ErrNoBinding), errText(err)}
		_, err = env.Service("NOPE")
		out["missingBinding"] = errText(err)
		writeJSON(w, out)
	})
	mux.HandleFunc("/echo-service", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %s caller=%s body=%s", r.Method, r.URL.RequestURI(), r.Header.Get("X-Caller"), b)
	})
	mux.HandleFunc("POST /send", func(w http.ResponseWriter, r *http.Request) {
		out := map[string]any{}
		jobs, err := env.Queue("JOBS")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		out["send"] = errText(jobs.Send(r.Context(), job{N: n, Action: "ack"}, nil))
		err = jobs.Send(r.Context(), func() {}, nil)
		out["unencodable"] = []any{errors.Is(err, durable.ErrQueueMessage), errText(err)}
		err = jobs.Send(r.Context(), strings.Repeat("x", 200<<10), nil)
		out["tooLarge"] = []any{errors.Is(err, durable.ErrQueueMessage), errText(err)}
		_, err = env.Queue("FILES")
		out["wrongBinding"] = []any{errors.Is(err, durable.ErrNoBinding), errText(err)}
		writeJSON(w, out)
	})
	mux.HandleFunc("POST /d1/{run}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, d1Scenario(r.Context(), env, r.PathValue("run")))
	})
	mux.HandleFunc("POST /d1sql/{run}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, d1SQLScenario(r.Context(), env, r.PathValue("run")))
	})
	mux.HandleFunc("GET /cf", func(w http.ResponseWriter, r *http.Request) {
		host, port, err := net.SplitHostPort(r.RemoteAddr)
		writeJSON(w, map[string]any{"cf": durable.CF(r), "remoteAddr": r.RemoteAddr, "host": host, "port": port, "splitError": errText(err)})
	})
	fragileRoutes(mux, env)
	return mux
}

// outbound fetches the url query parameter with the request's context,
// through http.DefaultClient (or a Client with the timeout parameter's
// Timeout), sending on the request's body, and answers with what came back:
// status, a header, the body's length and SHA-256, and how long it took.
func outbound(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	client := http.DefaultClient
	if ms, err := strconv.Atoi(q.Get("timeout")); err == nil {
		client = &http.Client{Timeout: time.Duration(ms) * time.Millisecond}
	}
	var body io.Reader
	if r.Method == http.MethodPost {
		body = r.Body
		if q.Has("gobody") {
			// A body Go generates, of unknown length: it must stream.
			n, _ := strconv.Atoi(q.Get("gobody"))
			body = io.LimitReader(&pattern{}, int64(n))
		}
	}
	req, err := http.NewRequestWithContext(r.Context(), r.Method, q.Get("url"), body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req.Header.Set("X-From", "go")
	started := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		writeJSON(w, map[string]any{"error": errText(err), "deadline": errors.Is(err, context.DeadlineExceeded), "ms": time.Since(started).Milliseconds()})
		return
	}
	defer resp.Body.Close()
	h := sha256.New()
	var head bytes.Buffer // the start of the body, for answers the test reads
	n, err := io.Copy(io.MultiWriter(h, &limitWriter{&head, 4096}), resp.Body)
	writeJSON(w, map[string]any{
		"text":          head.String(),
		"status":        resp.StatusCode,
		"server":        resp.Header.Get("X-Server"),
		"encoding":      resp.Header.Get("Content-Encoding"),
		"uncompressed":  resp.Uncompressed,
		"contentLength": resp.ContentLength,
		"bytes":         n,
		"sha256":        hex.EncodeToString(h.Sum(nil)),
		"readError":     errText(err),
		"ms":            time.Since(started).Milliseconds(),
	})
}

// pattern is the endless stream whose byte i is i*7 mod 256, which the
// test's server checks.
type pattern struct{ off int64 }

func (p *pattern) Read(b []byte) (int, error) {
	for i := range b {
		b[i] = byte(p.off * 7)
		p.off++
	}
	return len(b), nil
}

// kvScenario runs Workers KV's calls and misuses and reports what each gave.
func kvScenario(ctx context.Context, env durable.Env, run string) map[string]any {
	out := map[string]any{}
	kv, err := env.KV("CACHE")
	if err != nil {
		out["bindError"] = errText(err)
		return out
	}
	p := run + "/"
	for i, k := range []string{"b", "a", "c", "é"} {
		err := kv.Put(ctx, p+k, []byte("value "+k), &durable.KVPutOptions{Metadata: map[string]int{"i": i}})
		if err != nil {
			out["putError"] = errText(err)
		}
	}
	v, ok, err := kv.Get(ctx, p+"a")
	out["get"] = []any{string(v), ok, errText(err)}
	_, ok, err = kv.Get(ctx, p+"missing")
	out["getMissing"] = []any{ok, errText(err)}
	var pages [][]string
	var metadata []string
	opts := &durable.KVListOptions{Prefix: p, Limit: 3}
	for {
		list, err := kv.List(ctx, opts)
		if err != nil {
			out["listError"] = errText(err)
			break
		}
		var names []string
		for _, k := range list.Keys {
			names = append(names, strings.TrimPrefix(k.Name, p))
			metadata = append(metadata, string(k.Metadata))
		}
		pages = append(pages, names)
		if list.Complete {
			break
		}
		opts.Cursor = list.Cursor
	}
	out["pages"], out["metadata"] = pages, metadata
	out["delete"] = errText(kv.Delete(ctx, p+"a"))
	_, ok, _ = kv.Get(ctx, p+"a")
	out["afterDelete"] = ok

	err = kv.Put(ctx, strings.Repeat("k", 513), []byte("x"), nil)
	out["longKey"] = []any{errors.Is(err, durable.ErrKVLimit), errText(err)}
	_, err = env.KV("NOPE")
	out["missingBinding"] = []any{errors.Is(err, durable.ErrNoBinding), errText(err)}
	_, err = env.KV("LOG")
	out["wrongBinding"] = []any{errors.Is(err, durable.ErrNoBinding), errText(err)}
	_, _, err = kv.Get(context.Background(), p+"a")
	out["noContext"] = errors.Is(err, durable.ErrNoEventContext)
	return out
}

// r2Scenario runs R2's calls and misuses and reports what each gave.
func r2Scenario(ctx context.Context, env durable.Env, run string) map[string]any {
	out := map[string]any{}
	b, err := env.Bucket("FILES")
	if err != nil {
		out["bindError"] = errText(err)
		return out
	}
	p := run + "/"
	put := func(key string, body io.Reader, opts *durable.R2PutOptions) {
		obj, err := b.Put(ctx, p+key, body, opts)
		if err != nil {
			out["putError "+key] = errText(err)
			return
		}
		out["put "+key] = obj.Size
	}
	put("small.txt", strings.NewReader("hello r2"), &durable.R2PutOptions{ContentType: "text/plain", CustomMetadata: map[string]string{"owner": "ada"}})
	const big = 3 << 20
	put("big.bin", io.LimitReader(&pattern{}, big), &durable.R2PutOptions{Size: big}) // streamed
	put("unknown.bin", io.LimitReader(&pattern{}, 100_000), nil)                      // read whole first
	put("dir/a", strings.NewReader("a"), nil)
	put("dir/b", strings.NewReader("b"), nil)

	obj, ok, err := b.Get(ctx, p+"small.txt")
	if err == nil && ok {
		body, _ := io.ReadAll(obj.Body)
		obj.Body.Close()
		sum := md5.Sum(body)
		out["small"] = []any{string(body), obj.Size, obj.ContentType, obj.CustomMetadata, obj.ETag == hex.EncodeToString(sum[:]), !obj.Uploaded.IsZero()}
	} else {
		out["small"] = []any{ok, errText(err)}
	}
	obj, ok, err = b.Get(ctx, p+"big.bin")
	if err == nil && ok {
		h := sha256.New()
		n, err := io.Copy(h, obj.Body)
		obj.Body.Close()
		want := sha256.New()
		io.Copy(want, io.LimitReader(&pattern{}, big))
		out["big"] = []any{n, obj.Size, bytes.Equal(h.Sum(nil), want.Sum(nil)), errText(err)}
	} else {
		out["big"] = []any{ok, errText(err)}
	}
	_, ok, err = b.Get(ctx, p+"missing")
	out["missing"] = []any{ok, errText(err)}

	list := func() [][]string {
		var pages [][]string
		opts := &durable.R2ListOptions{Prefix: p, Delimiter: "/", Limit: 2}
		for {
			l, err := b.List(ctx, opts)
			if err != nil {
				return append(pages, []string{errText(err)})
			}
			var page []string
			for _, o := range l.Objects {
				page = append(page, strings.TrimPrefix(o.Key, p))
			}
			for _, d := range l.DelimitedPrefixes {
				page = append(page, strings.TrimPrefix(d, p)+" (folder)")
			}
			pages = append(pages, page)
			if !l.Truncated {
				return pages
			}
			opts.Cursor = l.Cursor
		}
	}
	out["list"] = list()
	out["delete"] = errText(b.Delete(ctx, p+"small.txt", p+"dir/a", p+"dir/b", p+"never"))
	out["listAfterDelete"] = list()

	_, err = b.Put(ctx, strings.Repeat("k", 1025), strings.NewReader("x"), nil)
	out["longKey"] = []any{errors.Is(err, durable.ErrR2Limit), errText(err)}
	_, err = env.Bucket("CACHE")
	out["wrongBinding"] = []any{errors.Is(err, durable.ErrNoBinding), errText(err)}
	_, _, err = b.Get(context.Background(), p+"big.bin")
	out["noContext"] = errors.Is(err, durable.ErrNoEventContext)
	return out
}

// d1Scenario runs D1 statements and misuses and reports what each gave.
func d1Scenario(ctx context.Context, env durable.Env, run string) map[string]any {
	out := map[string]any{}
	db, err := env.D1("DB")
	if err != nil {
		out["bindError"] = errText(err)
		return out
	}
	table := "t_" + run
	_, err = db.Exec(ctx, `CREATE TABLE `+table+` (id INTEGER PRIMARY KEY, name TEXT, score REAL, data BLOB, note TEXT)`)
	out["create"] = errText(err)
	_, err = db.Exec(ctx, `INSERT INTO `+table+` VALUES (?, ?, ?, ?, ?), (?, ?, ?, ?, ?)`, 1, "ada", 9.5, []byte{1, 2}, nil, 2, "grace", 7, []byte{}, "x")
	out["insert"] = errText(err)
	res, err := db.Exec(ctx, `SELECT id, name, score, data, note FROM `+table+` ORDER BY id`)
	if err != nil {
		out["select"] = errText(err)
	} else {
		out["columns"] = res.Columns
		var rows []string
		for _, row := range res.Rows {
			rows = append(rows, fmt.Sprintf("%T %v|%T %v|%T %v|%T %v|%T %v", row[0], row[0], row[1], row[1], row[2], row[2], row[3], row[3], row[4], row[4]))
		}
		out["rows"] = rows
	}
	_, err = db.Exec(ctx, `SELEC 1`)
	var sqlErr *durable.SQLError
	out["syntax"] = []any{errors.As(err, &sqlErr), sqlErr != nil && sqlErr.Code == "SQLITE_ERROR"}
	_, err = db.Exec(ctx, `INSERT INTO `+table+` (id) VALUES (?)`, 1)
	out["constraint"] = errors.Is(err, durable.ErrConstraint)
	_, err = db.Exec(ctx, `SELECT ?`, int64(1)<<60)
	out["integerRange"] = errors.Is(err, durable.ErrIntegerRange)
	_, err = env.D1("CACHE")
	out["wrongBinding"] = []any{errors.Is(err, durable.ErrNoBinding), errText(err)}
	_, err = db.Exec(context.Background(), `SELECT 1`)
	out["noContext"] = errors.Is(err, durable.ErrNoEventContext)
	return out
}

// d1SQLScenario runs database/sql calls on D1 through sqlstore.OpenD1 and
// reports what each gave: rows changed and last ids, scanned rows, errors.
func d1SQLScenario(ctx context.Context, env durable.Env, run string) map[string]any {
	out := map[string]any{}
	d1, err := env.D1("DB")
	if err != nil {
		out["bindError"] = errText(err)
		return out
	}
	db := sqlstore.OpenD1(d1)
	defer db.Close()
	table := "s_" + run
	exec := func(key, query string, args ...any) {
		res, err := db.ExecContext(ctx, query, args...)
		if err != nil {
			out[key] = errText(err)
			return
		}
		affected, err1 := res.RowsAffected()
		lastID, err2 := res.LastInsertId()
		out[key] = []any{affected, lastID, errText(errors.Join(err1, err2))}
	}
	exec("create", `CREATE TABLE `+table+` (id INTEGER PRIMARY KEY, name TEXT UNIQUE, score REAL, data BLOB, note TEXT)`)
	exec("insert", `INSERT INTO `+table+` (name, score, data, note) VALUES (?, ?, ?, ?), (?, ?, ?, ?)`, "ada", 9.5, []byte{1, 2}, nil, "grace", 7, []byte{}, "x")
	exec("insertOne", `INSERT INTO `+table+` (name) VALUES (?)`, "linus")
	exec("update", `UPDATE `+table+` SET score = score + 1 WHERE score IS NOT NULL`)
	exec("updateNone", `UPDATE `+table+` SET score = 0 WHERE id = 99`)
	exec("ignored", `INSERT OR IGNORE INTO `+table+` (name) VALUES ('ada')`)
	exec("delete", `DELETE FROM `+table+` WHERE name = ?`, "linus")

	rows, err := db.QueryContext(ctx, `SELECT id, name, score, data, note FROM `+table+` ORDER BY id`)
	if err != nil {
		out["select"] = errText(err)
	} else {
		out["columns"], _ = rows.Columns()
		var got []string
		for rows.Next() {
			var (
				id    int64
				name  string
				score sql.NullFloat64
				data  []byte
				note  sql.NullString
			)
			if err := rows.Scan(&id, &name, &score, &data, &note); err != nil {
				got = append(got, errText(err))
				continue
			}
			got = append(got, fmt.Sprintf("%d|%s|%v|%v|%v", id, name, score, data, note))
		}
		out["rows"] = got
		out["rowsErr"] = errText(errors.Join(rows.Err(), rows.Close()))
	}
	var id int64
	err = db.QueryRowContext(ctx, `INSERT INTO `+table+` (name) VALUES (?) RETURNING id`, "barbara").Scan(&id)
	out["returning"] = []any{id, errText(err)}
	var n int64
	err = db.QueryRowContext(ctx, `SELECT count(*) FROM `+table+` WHERE note IS NULL`).Scan(&n)
	out["nulls"] = []any{n, errText(err)}
	err = db.QueryRowContext(ctx, `SELECT id FROM `+table+` WHERE id < 0`).Scan(&id)
	out["noRows"] = errors.Is(err, sql.ErrNoRows)

	_, err = db.BeginTx(ctx, nil)
	out["beginTx"] = []any{errors.Is(err, sqlstore.ErrD1BeginTx), errText(err)}
	_, err = db.ExecContext(ctx, `INSERT INTO `+table+` (name) VALUES (?)`, "ada")
	var sqlErr *durable.SQLError
	out["constraint"] = []any{errors.As(err, &sqlErr), errors.Is(err, durable.ErrConstraint)}
	_, err = db.QueryContext(ctx, `SELEC 1`)
	sqlErr = nil
	out["syntax"] = []any{errors.As(err, &sqlErr), sqlErr != nil && sqlErr.Code == "SQLITE_ERROR"}
	_, err = db.ExecContext(ctx, `SELECT :a`, sql.Named("a", 1))
	out["named"] = errors.Is(err, sqlstore.ErrNamedArg)
	_, err = db.ExecContext(context.Background(), `SELECT 1`)
	out["noContext"] = errors.Is(err, durable.ErrNoEventContext)
	return out
}

// scheduled records each cron firing in Log "events"; the cron "0 0 1 1 *"
// panics, to show that the Worker keeps serving.
func scheduled(ctx context.Context, env durable.Env, ev durable.ScheduledEvent) error {
	if ev.Cron == "0 0 1 1 *" {
		panic("platformworker: a cron handler that panics")
	}
	return record(ctx, env, fmt.Sprintf("cron %s at %d", ev.Cron, ev.ScheduledTime.UnixMilli()))
}

// job is a queue message of the test: the action says how to settle it.
type job struct {
	N      int    `json:"n"`
	Action string `json:"action"` // ack, retry, none, fail (the handler fails), panic
}

// queue records each message in Log "events" and settles it as it says.
func queue(ctx context.Context, env durable.Env, batch *durable.MessageBatch) error {
	var failed error
	for _, m := range batch.Messages {
		var j job
		if err := m.Decode(&j); err != nil {
			m.Retry(nil)
			continue
		}
		if err := record(ctx, env, fmt.Sprintf("%s #%d %s attempt %d", batch.Queue, j.N, j.Action, m.Attempts)); err != nil {
			return err
		}
		switch j.Action {
		case "ack":
			m.Ack()
		case "retry":
			m.Retry(&durable.RetryOptions{Delay: 5 * time.Second})
		case "fail":
			failed = fmt.Errorf("job %d failed", j.N)
		case "panic":
			panic("platformworker: a queue handler that panics")
		}
	}
	return failed
}

// record adds a line to Log "events", through a stub fetch made with the
// event's ctx.
func record(ctx context.Context, env durable.Env, line string) error {
	logs, err := env.Namespace("LOG")
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, "POST", "https://log/add", strings.NewReader(line))
	if err != nil {
		return err
	}
	resp, err := logs.Get(logs.IDFromName("events")).Fetch(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("recording %q: %s", line, resp.Status)
	}
	return nil
}

// Log is an object that makes outbound requests of its own, and keeps the
// lines the handlers beyond fetch record.
type Log struct{ sql durable.SQL }

func newLog(state durable.State, env durable.Env) (durable.Object, error) {
	sql := state.Storage().SQL()
	_, err := sql.Exec(`CREATE TABLE IF NOT EXISTS lines (line TEXT NOT NULL)`)
	return &Log{sql: sql}, err
}

func (l *Log) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/out":
		outbound(w, r)
	case "/add":
		b, _ := io.ReadAll(r.Body)
		if _, err := l.sql.Exec(`INSERT INTO lines VALUES (?)`, string(b)); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	case "/list":
		res, err := l.sql.Exec(`SELECT line FROM lines ORDER BY rowid`)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		lines := []string{}
		for _, row := range res.Rows {
			lines = append(lines, row[0].(string))
		}
		writeJSON(w, lines)
	default:
		http.NotFound(w, r)
	}
}

// limitWriter keeps the first n bytes written to it.
type limitWriter struct {
	b *bytes.Buffer
	n int
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if room := l.n - l.b.Len(); room > 0 {
		l.b.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return fmt.Sprint(err)
}
