package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
)

// errRolledBack makes Storage.Transaction roll back when the function called
// tx.Rollback and then returned nil.
var errRolledBack = errors.New("sqlstore: rolled back")

// Transaction runs fn with a [*sql.Tx] inside [durable.Storage.Transaction] of
// the storage db was opened on (db must come from [Open]; given a *sql.DB
// from [OpenD1], it fails with [ErrD1BeginTx]). Every statement fn
// runs through tx is atomic: the writes commit when fn returns nil and roll
// back when fn returns an error (which Transaction returns), panics (the panic
// goes on), or calls tx.Rollback. tx.Commit inside fn fails with
// [ErrCommitInside]. Transactions nest: a Transaction inside fn is a nested
// storage transaction.
//
// The rules of Storage.Transaction hold: fn runs synchronously on workerd and
// must not wait for anything (no Stub.Fetch, no channel another goroutine
// feeds, no sleep). Statements fn runs through db rather than tx also run
// inside the transaction, since the object has one database session.
func Transaction(ctx context.Context, db *sql.DB, fn func(tx *sql.Tx) error) error {
	if _, ok := db.Driver().(d1Driver); ok {
		return fmt.Errorf("sqlstore: Transaction: %w", ErrD1BeginTx)
	}
	d, ok := db.Driver().(*drv)
	if !ok {
		return fmt.Errorf("sqlstore: Transaction needs a *sql.DB from sqlstore.Open, not one of driver %T", db.Driver())
	}
	// Take the connection before the storage transaction starts, so that any
	// wait for one happens where waiting is allowed.
	sc, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("sqlstore: Transaction: %w", err)
	}
	defer sc.Close()
	var c *conn
	if err := sc.Raw(func(dc any) error { c = dc.(*conn); return nil }); err != nil {
		return fmt.Errorf("sqlstore: Transaction: %w", err)
	}
	err = d.storage.Transaction(func() error {
		c.allowBegin = true
		tx, err := sc.BeginTx(ctx, nil)
		c.allowBegin = false
		if err != nil {
			return fmt.Errorf("sqlstore: Transaction: %w", err)
		}
		state := c.tx
		// Whatever happens (a panic included), the *sql.Tx must end, or the
		// connection stays taken; after a Commit this is a no-op.
		defer tx.Rollback()
		state.inside.Store(true)
		fnErr := fn(tx)
		state.inside.Store(false)
		switch {
		case fnErr != nil:
			return fnErr
		case state.commitInside.Load():
			return ErrCommitInside
		case state.rolledBack.Load():
			// database/sql rolls back by itself when ctx ends: that is a
			// failure to report, where fn's own tx.Rollback is not.
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("sqlstore: Transaction: %w", err)
			}
			return errRolledBack
		}
		// A context that ended makes database/sql roll back from its own
		// goroutine, which may beat Commit to it: report the context either way.
		if err := tx.Commit(); err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return fmt.Errorf("sqlstore: Transaction: %w", ctxErr)
			}
			return err
		}
		return nil
	})
	if err == errRolledBack {
		return nil
	}
	return err
}

// tx is the driver side of the *sql.Tx that Transaction hands out: the
// storage transaction around it does the work, so Commit and Rollback only
// record what fn asked for.
//
// The flags are atomic because database/sql may roll the *sql.Tx back from
// its own goroutine when the context ends while fn runs.
type tx struct {
	inside       atomic.Bool // fn is running
	commitInside atomic.Bool // fn called Commit, which ended the *sql.Tx
	rolledBack   atomic.Bool
}

func (t *tx) Commit() error {
	if t.inside.Load() {
		t.commitInside.Store(true)
		return ErrCommitInside
	}
	return nil
}

func (t *tx) Rollback() error {
	t.rolledBack.Store(true)
	return nil
}
