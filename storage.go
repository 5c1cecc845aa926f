package durable

// MaxSafeInteger is the largest integer that survives the trip through a
// JavaScript number exactly: 2^53 - 1. See the package documentation.
const MaxSafeInteger = 1<<53 - 1

// Storage is a Durable Object instance's private, transactional storage, backed by
// one SQLite database that both the SQL and the KV API use. Get it from
// [State.Storage]; the zero Storage is not usable.
type Storage struct{ impl storageRuntime }

// SQL is the instance's SQLite database.
func (s Storage) SQL() SQL { return SQL{impl: s.runtime().SQL().(sqlRuntime)} }

// KV is the key-value API over the same database.
func (s Storage) KV() KV { return KV{impl: s.runtime().KV().(kvRuntime)} }

// Transaction runs fn atomically. Its writes are committed when fn returns nil
// and rolled back when fn returns an error (which Transaction returns) or panics
// (the panic continues after the rollback). Transactions nest.
//
// fn runs synchronously on workerd (inside transactionSync): it must not wait
// for anything — a Stub.Fetch inside it fails at once — and must not hand
// storage work to other goroutines. Do I/O before or after. SQL's BEGIN,
// COMMIT and SAVEPOINT statements are refused: use this.
func (s Storage) Transaction(fn func() error) error { return s.runtime().Transaction(fn) }

func (s Storage) runtime() storageRuntime {
	if s.impl == nil {
		panic("durable: zero Storage; use State.Storage")
	}
	return s.impl
}

// SQL runs statements on a Durable Object's SQLite database. Get it from
// [Storage.SQL]; the zero SQL is not usable.
type SQL struct{ impl sqlRuntime }

// Exec runs one statement (or several separated by semicolons, when args is
// empty) and returns all the rows of the last one. Arguments bind to ? or ?NNN
// parameters and may be nil, bool, any integer type within ±MaxSafeInteger,
// float32, float64, string or []byte.
func (s SQL) Exec(query string, args ...any) (*Result, error) {
	if err := checkQuery(query); err != nil {
		return nil, err
	}
	return s.runtime().Exec(query, args...)
}

// DatabaseSize is the database's current size in bytes.
func (s SQL) DatabaseSize() int64 { return s.runtime().DatabaseSize() }

func (s SQL) runtime() sqlRuntime {
	if s.impl == nil {
		panic("durable: zero SQL; use Storage.SQL")
	}
	return s.impl
}

// KV is the key-value API of a Durable Object's storage. Keys are strings; values
// are bytes. Values written by JavaScript code that are not bytes read as their
// UTF-8 text (strings) or their JSON encoding (other values). Get it from
// [Storage.KV]; the zero KV is not usable.
type KV struct{ impl kvRuntime }

// Keys must be valid UTF-8: other keys fail with [ErrInvalidUTF8].

// Get returns the value stored under key and whether there was one.
func (k KV) Get(key string) (value []byte, ok bool, err error) {
	if err := checkKey("get", key); err != nil {
		return nil, false, err
	}
	return k.runtime().Get(key)
}

// Put stores value under key, replacing any previous value.
func (k KV) Put(key string, value []byte) error {
	if err := checkKey("put", key); err != nil {
		return err
	}
	return k.runtime().Put(key, value)
}

// Delete removes key and reports whether it existed.
func (k KV) Delete(key string) (existed bool, err error) {
	if err := checkKey("delete", key); err != nil {
		return false, err
	}
	return k.runtime().Delete(key)
}

// List returns the entries selected by opts (all entries when opts is nil) in
// ascending key order, or descending when opts.Reverse is set.
func (k KV) List(opts *ListOptions) ([]Entry, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	return k.runtime().List(opts)
}

func (k KV) runtime() kvRuntime {
	if k.impl == nil {
		panic("durable: zero KV; use Storage.KV")
	}
	return k.impl
}

// ListOptions selects the entries [KV.List] returns. The zero value selects all.
type ListOptions struct {
	// Prefix keeps only keys that start with it.
	Prefix string
	// Start keeps only keys >= Start.
	Start string
	// StartAfter keeps only keys > StartAfter: set it to the last key of one
	// page to list the next. Start and StartAfter cannot both be set.
	StartAfter string
	// End keeps only keys < End (when not empty).
	End string
	// Limit caps the number of entries returned (0 means no cap).
	Limit int
	// Reverse lists in descending key order; Limit then keeps the last keys.
	Reverse bool
}

// Entry is one key-value pair returned by [KV.List].
type Entry struct {
	// Key is the entry's key.
	Key string
	// Value is the stored value, as [KV.Get] returns it.
	Value []byte
}
