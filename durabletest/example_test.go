package durabletest_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/durabletest"
)

// counter is a Durable Object that counts the POSTs it receives, in SQL.
type counter struct{ sql durable.SQL }

func newCounter(state durable.State, _ durable.Env) (durable.Object, error) {
	sql := state.Storage().SQL()
	_, err := sql.Exec(`CREATE TABLE IF NOT EXISTS hits (n INTEGER NOT NULL)`)
	return &counter{sql: sql}, err
}

func (c *counter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		if _, err := c.sql.Exec(`INSERT INTO hits VALUES (1)`); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
	}
	var n int64
	res, err := c.sql.Exec(`SELECT count(*) FROM hits`)
	if err == nil {
		err = res.One(&n)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	fmt.Fprintf(w, "%d hits", n)
}

// counterWorker routes /{name} to the counter of that name.
func counterWorker() durable.Worker {
	return durable.Worker{
		Objects: map[string]durable.Constructor{"Counter": newCounter},
		Front: func(env durable.Env) http.Handler {
			counters, err := env.Namespace("COUNTER")
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if err != nil {
					http.Error(w, err.Error(), http.StatusInternalServerError)
					return
				}
				stub := counters.Get(counters.IDFromName(strings.TrimPrefix(r.URL.Path, "/")))
				req, _ := http.NewRequestWithContext(r.Context(), r.Method, "https://counter/", nil)
				resp, err := stub.Fetch(req)
				if err != nil {
					http.Error(w, err.Error(), http.StatusBadGateway)
					return
				}
				defer resp.Body.Close()
				w.WriteHeader(resp.StatusCode)
				io.Copy(w, resp.Body)
			})
		},
	}
}

func Example() {
	t := &testing.T{} // in a real test, the *testing.T of the test function
	rt := durabletest.New(t, counterWorker(), &durabletest.Options{
		Bindings: map[string]string{"COUNTER": "Counter"},
	})
	defer rt.Close()

	do := func(method, path string) string {
		resp := rt.Fetch(httptest.NewRequest(method, path, nil))
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return fmt.Sprintf("%d %s", resp.StatusCode, body)
	}
	fmt.Println(do("POST", "/ada"))
	fmt.Println(do("POST", "/ada"))
	fmt.Println(do("POST", "/grace"))

	rt.Restart() // Go instances are dropped; storage stays
	fmt.Println(do("GET", "/ada"))

	// Tests can look inside an object's storage.
	state := rt.State("COUNTER", rt.Namespace("COUNTER").IDFromName("grace"))
	res, _ := state.Storage().SQL().Exec(`SELECT count(*) AS n FROM hits`)
	fmt.Println(res.Columns, res.Rows)

	// workerd's SQL rules apply.
	_, err := state.Storage().SQL().Exec(`BEGIN`)
	fmt.Println(strings.Contains(err.Error(), "state.storage.transaction()"))
	// Output:
	// 200 1 hits
	// 200 2 hits
	// 200 1 hits
	// 200 2 hits
	// [n] [[1]]
	// true
}
