package conformance

import (
	"errors"
	"sync"

	"github.com/durableobjects-on-go/durable"
)

// kvBackedMirrors are the scenarios that use only KV (no SQL, no
// transactions): each also runs as kvbacked/<name> in an object whose storage
// is KV-backed, where the runtimes serve KV through workerd's asynchronous
// API rather than the synchronous one.
var kvBackedMirrors = []string{
	"kv/get-missing", "kv/put-get-roundtrip", "kv/overwrite", "kv/delete",
	"kv/list-order-is-utf8-bytes", "kv/list-prefix", "kv/list-start-inclusive",
	"kv/list-end-exclusive", "kv/list-start-end", "kv/list-limit", "kv/list-reverse",
	"kv/list-prefix-with-start", "kv/list-prefix-with-end", "kv/list-unicode-prefix",
	"kv/json", "kv/invalid-utf8-key-is-refused", "kv/get-many", "kv/put-many",
	"kv/delete-many", "kv/batch-limit-128", "kv/list-start-after",
	"kv/list-pages-with-start-after", "storage/sync",
}

var deriveOnce sync.Once

// derive registers the kvbacked/ mirrors, once every file's init has
// registered the scenarios they mirror.
func derive() {
	for _, name := range kvBackedMirrors {
		base, ok := registry[name]
		if !ok {
			panic("conformance: kvBackedMirrors names an unknown scenario " + name)
		}
		addKVBacked("kvbacked/"+name, base.Steps...)
	}
	addKVBacked("kvbacked/sql-and-transactions-refused", func(t T, o *Object) {
		st := o.State.Storage()
		if _, err := st.SQL().Exec(`SELECT 1`); !errors.Is(err, durable.ErrKVBacked) {
			t.Errorf("Exec = %v; want ErrKVBacked", err)
		} else {
			t.Logf("Exec: %v", err)
		}
		for _, err := range st.SQL().Query(`SELECT 1`) {
			if !errors.Is(err, durable.ErrKVBacked) {
				t.Errorf("Query = %v; want ErrKVBacked", err)
			}
		}
		if err := st.Transaction(func() error { return nil }); !errors.Is(err, durable.ErrKVBacked) {
			t.Errorf("Transaction = %v; want ErrKVBacked", err)
		}
		same(t, "DatabaseSize", st.SQL().DatabaseSize(), int64(0))
		must(t, o.KV().Put("still", []byte("works")), "Put")
	})
}

// addKVBacked registers a scenario that runs in a KV-backed object.
func addKVBacked(name string, steps ...Step) {
	add(name, steps...)
	s := registry[name]
	s.KVBacked = true
	registry[name] = s
}
