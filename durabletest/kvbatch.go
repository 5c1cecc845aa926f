package durabletest

import (
	"context"
	"errors"
	"fmt"

	"github.com/durableobjects-on-go/durable"
)

// GetMany reads every key under one lock, as workerd reads them in one call.
func (k kvStorage) GetMany(keys []string) ([][]byte, error) {
	db := k.db
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return nil, errClosed
	}
	values := make([][]byte, len(keys))
	if !db.kvReady {
		return values, nil
	}
	// One query per key: workerd's limit of 100 bound parameters is below 128.
	for i, key := range keys {
		res, err := db.execTrusted(`SELECT value FROM _cf_KV WHERE key = ?`, jsString(key))
		if err != nil {
			return nil, fmt.Errorf("durable: KV get of %d keys: %w", len(keys), err)
		}
		if len(res.Rows) == 1 {
			values[i] = valueBytes(res.Rows[0][0])
		}
	}
	return values, nil
}

// PutMany writes every entry inside one savepoint: all or none.
func (k kvStorage) PutMany(entries []durable.Entry) error {
	return k.db.atomically("put", len(entries), func(db *database) error {
		if err := db.ensureKV(); err != nil {
			return err
		}
		for _, e := range entries {
			if _, err := db.execTrusted(`INSERT INTO _cf_KV VALUES (?, ?) ON CONFLICT DO UPDATE SET value = excluded.value`, jsString(e.Key), e.Value); err != nil {
				return err
			}
		}
		return nil
	})
}

// DeleteMany deletes every key inside one savepoint and counts those that
// existed.
func (k kvStorage) DeleteMany(keys []string) (int, error) {
	deleted := 0
	err := k.db.atomically("delete", len(keys), func(db *database) error {
		if err := db.ensureKV(); err != nil { // as Delete does, like workerd
			return err
		}
		for _, key := range keys {
			if _, err := db.execTrusted(`DELETE FROM _cf_KV WHERE key = ?`, jsString(key)); err != nil {
				return err
			}
			deleted += int(db.conn.Changes())
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return deleted, nil
}

// atomically runs fn under the lock inside a savepoint, rolled back when fn
// fails, as workerd runs a batch inside transactionSync.
func (db *database) atomically(op string, n int, fn func(db *database) error) error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return errClosed
	}
	wrap := func(err error) error { return fmt.Errorf("durable: KV %s of %d keys: %w", op, n, err) }
	if _, err := db.execTrusted(`SAVEPOINT _cf_batch`); err != nil {
		return wrap(err)
	}
	if err := fn(db); err != nil {
		db.execTrusted(`ROLLBACK TO _cf_batch`)
		db.execTrusted(`RELEASE _cf_batch`)
		db.checkKV()
		return wrap(err)
	}
	if _, err := db.execTrusted(`RELEASE _cf_batch`); err != nil {
		return wrap(err)
	}
	return nil
}

// Sync returns at once: the native database is written synchronously, so
// every write is as durable as it will get when its call returns.
func (s *storage) Sync(ctx context.Context) error {
	if s.db.inTransaction() {
		return errSyncInTransaction
	}
	return ctx.Err()
}

// errSyncInTransaction is the error of Storage.Sync inside a Transaction:
// on workerd its function runs synchronously and may not wait.
var errSyncInTransaction = errors.New("durable: Sync: cannot wait inside Storage.Transaction: its function runs synchronously on workerd and must not fetch or wait; do the I/O before or after the transaction")
