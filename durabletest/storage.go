package durabletest

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/kvbacked"
)

// state is an object's durable.State.
type state struct {
	id      durable.ID
	storage *storage
	obj     *object  // for the lifecycle calls (lifecycle.go)
	sockets *sockets // websocket.go
}

func (s *state) ID() durable.ID { return s.id }
func (s *state) Storage() any   { return s.storage }

// storage implements durable.Storage, durable.SQL and durable.KV over one
// database, as workerd's SQLite-backed storage does.
type storage struct {
	db       *database
	obj      *object // for alarms and DeleteAll (alarm.go)
	kvBacked bool    // the class was created with new_classes: KV only, no SQL
}

func (s *storage) SQL() any {
	if s.kvBacked {
		return kvbacked.SQL{}
	}
	return sqlStorage{s.db}
}
func (s *storage) KV() any { return kvStorage{s.db} }

// Transaction runs fn inside a savepoint, as workerd's transactionSync does (which
// is how transactions nest): released when fn returns nil, rolled back when it
// returns an error or panics. Each call has a savepoint name of its own, so that
// calls overlapping from several goroutines fail loudly (no such savepoint)
// rather than release or roll back one another's savepoint by mistake.
func (s *storage) Transaction(fn func() error) (err error) {
	if s.kvBacked {
		return kvbacked.Err("Storage.Transaction")
	}
	db := s.db
	db.mu.Lock()
	if db.closed {
		db.mu.Unlock()
		return errClosed
	}
	db.txSeq++
	name := "_cf_savepoint_" + strconv.FormatUint(db.txSeq, 10)
	if _, err := db.execTrusted("SAVEPOINT " + name); err != nil {
		db.mu.Unlock()
		return fmt.Errorf("durable: transaction: %w", err)
	}
	db.txDepth++
	db.mu.Unlock()

	finished := false
	defer func() {
		db.mu.Lock()
		defer db.mu.Unlock()
		db.txDepth--
		if db.closed {
			return
		}
		if !finished || err != nil {
			_, rbErr := db.execTrusted("ROLLBACK TO " + name)
			db.checkKV()      // the rollback may have dropped a _cf_KV made inside
			if rbErr != nil { // (lost when fn panicked: the panic goes on)
				err = errors.Join(err, fmt.Errorf("durable: transaction: rolling back: %w", rbErr))
			}
		}
		if _, relErr := db.execTrusted("RELEASE " + name); relErr != nil && finished {
			err = errors.Join(err, fmt.Errorf("durable: transaction: %w", relErr))
		}
	}()
	err = fn()
	finished = true
	return err
}

func (db *database) inTransaction() bool {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.txDepth > 0
}

type sqlStorage struct{ db *database }

func (s sqlStorage) Exec(query string, args ...any) (*durable.Result, error) {
	return s.db.exec(query, args)
}

func (s sqlStorage) DatabaseSize() int64 { return s.db.size() }

// kvStorage is the KV API, stored in the _cf_KV table the way workerd stores it
// (workerd keeps V8-serialized values there; here the value bytes themselves, which
// no user code can tell apart because SQL may not read _cf_ tables).
type kvStorage struct{ db *database }

// rawText is a TEXT argument bound byte for byte, without the UTF-8 repair that
// user strings get (list bounds computed on bytes may not be valid UTF-8).
type rawText string

func (k kvStorage) Get(key string) ([]byte, bool, error) {
	db := k.db
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return nil, false, errClosed
	}
	if !db.kvReady {
		return nil, false, nil
	}
	res, err := db.execTrusted(`SELECT value FROM _cf_KV WHERE key = ?`, jsString(key))
	if err != nil {
		return nil, false, fmt.Errorf("durable: KV get %q: %w", key, err)
	}
	if len(res.Rows) == 0 {
		return nil, false, nil
	}
	return valueBytes(res.Rows[0][0]), true, nil
}

func valueBytes(v any) []byte {
	if b, ok := v.([]byte); ok {
		return b
	}
	return []byte{}
}

// checkKV looks whether the KV table exists. db.mu must be held.
func (db *database) checkKV() {
	res, err := db.execTrusted(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_cf_KV'`)
	db.kvReady = err == nil && len(res.Rows) == 1
}

// ensureKV creates the KV table on first write, as workerd does. db.mu must be held.
func (db *database) ensureKV() error {
	if db.kvReady {
		return nil
	}
	if _, err := db.execTrusted(`CREATE TABLE IF NOT EXISTS _cf_KV (key TEXT PRIMARY KEY, value BLOB) WITHOUT ROWID`); err != nil {
		return err
	}
	db.kvReady = true
	return nil
}

func (k kvStorage) Put(key string, value []byte) error {
	db := k.db
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return errClosed
	}
	if value == nil {
		value = []byte{}
	}
	err := db.ensureKV()
	if err == nil {
		_, err = db.execTrusted(`INSERT INTO _cf_KV VALUES (?, ?) ON CONFLICT DO UPDATE SET value = excluded.value`, jsString(key), value)
	}
	if err != nil {
		return fmt.Errorf("durable: KV put %q: %w", key, err)
	}
	return nil
}

func (k kvStorage) Delete(key string) (bool, error) {
	db := k.db
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return false, errClosed
	}
	err := db.ensureKV()
	var res *durable.Result
	if err == nil {
		res, err = db.execTrusted(`DELETE FROM _cf_KV WHERE key = ?`, jsString(key))
	}
	if err != nil {
		return false, fmt.Errorf("durable: KV delete %q: %w", key, err)
	}
	return res != nil && db.conn.Changes() > 0, nil
}

func (k kvStorage) List(opts *durable.ListOptions) ([]durable.Entry, error) {
	r, err := compileList(opts)
	if err != nil {
		return nil, fmt.Errorf("durable: KV list: %w", err)
	}
	entries := []durable.Entry{}
	if r.empty {
		return entries, nil
	}
	db := k.db
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return nil, errClosed
	}
	if !db.kvReady {
		return entries, nil
	}
	query := `SELECT key, value FROM _cf_KV WHERE key >= ?`
	args := []any{rawText(r.start)}
	if r.hasEnd {
		query += ` AND key < ?`
		args = append(args, rawText(r.end))
	}
	query += ` ORDER BY key`
	if r.reverse {
		query += ` DESC`
	}
	if r.limit > 0 {
		query += ` LIMIT ` + strconv.Itoa(r.limit)
	}
	res, err := db.execTrusted(query, args...)
	if err != nil {
		return nil, fmt.Errorf("durable: KV list: %w", err)
	}
	for _, row := range res.Rows {
		key, _ := row[0].(string)
		entries = append(entries, durable.Entry{Key: key, Value: valueBytes(row[1])})
	}
	return entries, nil
}

// listRange is a KV list request reduced to a key range, as workerd's
// compileListOptions reduces it.
type listRange struct {
	start, end string
	hasEnd     bool
	limit      int
	reverse    bool
	empty      bool // provably no keys
}

func compileList(opts *durable.ListOptions) (listRange, error) {
	var r listRange
	if opts == nil {
		return r, nil
	}
	if opts.Limit < 0 {
		return r, fmt.Errorf("negative Limit %d", opts.Limit)
	}
	// The options cross into workerd as JavaScript strings, then as UTF-8 bytes.
	r.start, r.limit, r.reverse = jsString(opts.Start), opts.Limit, opts.Reverse
	if opts.StartAfter != "" {
		// workerd turns an exclusive StartAfter into the first key after it.
		r.start = jsString(opts.StartAfter) + "\x00"
	}
	if opts.End != "" {
		r.end, r.hasEnd = jsString(opts.End), true
	}
	if prefix := jsString(opts.Prefix); prefix != "" {
		switch {
		case r.start < prefix:
			r.start = prefix
		case strings.HasPrefix(r.start, prefix):
		default:
			r.empty = true
			return r, nil
		}
		after, ok := keyAfterPrefix(prefix)
		switch {
		case !ok: // the prefix runs to the end of the key space
		case !r.hasEnd:
			r.end, r.hasEnd = after, true
		case r.end <= prefix:
			r.empty = true
			return r, nil
		case strings.HasPrefix(r.end, prefix):
		default:
			r.end = after
		}
	}
	if r.hasEnd && r.end <= r.start {
		r.empty = true
	}
	return r, nil
}

// keyAfterPrefix is the first key after every key that starts with prefix: the
// prefix without its trailing 0xff bytes, with its last byte incremented.
func keyAfterPrefix(prefix string) (string, bool) {
	b := []byte(prefix)
	for len(b) > 0 && b[len(b)-1] == 0xff {
		b = b[:len(b)-1]
	}
	if len(b) == 0 {
		return "", false
	}
	b[len(b)-1]++
	return string(b), true
}
