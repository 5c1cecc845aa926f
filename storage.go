package durable

// MaxSafeInteger is the largest integer that survives the trip through a
// JavaScript number exactly: 2^53 - 1. See the package documentation.
const MaxSafeInteger = 1<<53 - 1

// Storage is a Durable Object instance's private, transactional storage, backed by
// one SQLite database that both the SQL and the KV API use.
type Storage interface {
	// SQL is the instance's SQLite database.
	SQL() SQL
	// KV is the key-value API over the same database.
	KV() KV
	// Transaction runs fn atomically. Its writes are committed when fn returns nil
	// and rolled back when fn returns an error (which Transaction returns) or panics
	// (the panic continues after the rollback). Transactions nest.
	//
	// fn runs synchronously on workerd (inside transactionSync): it must not wait
	// for anything — a Stub.Fetch inside it fails at once — and must not hand
	// storage work to other goroutines. Do I/O before or after. SQL's BEGIN,
	// COMMIT and SAVEPOINT statements are refused: use this.
	Transaction(fn func() error) error
}

// SQL runs statements on a Durable Object's SQLite database.
type SQL interface {
	// Exec runs one statement (or several separated by semicolons, when args is
	// empty) and returns all the rows of the last one. Arguments bind to ? or ?NNN
	// parameters and may be nil, bool, any integer type within ±MaxSafeInteger,
	// float32, float64, string or []byte.
	Exec(query string, args ...any) (*Result, error)
	// DatabaseSize is the database's current size in bytes.
	DatabaseSize() int64
}

// KV is the key-value API of a Durable Object's storage. Keys are strings; values
// are bytes. Values written by JavaScript code that are not bytes read as their
// UTF-8 text (strings) or their JSON encoding (other values).
type KV interface {
	// Get returns the value stored under key and whether there was one.
	Get(key string) (value []byte, ok bool, err error)
	// Put stores value under key, replacing any previous value.
	Put(key string, value []byte) error
	// Delete removes key and reports whether it existed.
	Delete(key string) (existed bool, err error)
	// List returns the entries selected by opts (all entries when opts is nil) in
	// ascending key order, or descending when opts.Reverse is set.
	List(opts *ListOptions) ([]Entry, error)
}

// ListOptions selects the entries [KV.List] returns. The zero value selects all.
type ListOptions struct {
	// Prefix keeps only keys that start with it.
	Prefix string
	// Start keeps only keys >= Start.
	Start string
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
