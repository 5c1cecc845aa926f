package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/durabletest"
	"github.com/durableobjects-on-go/durable/sqlstore"
)

// An object's storage through database/sql. In an object, the storage comes
// from state.Storage() in its constructor; here a test opens one.
func Example() {
	t := &testing.T{} // in a real test, the *testing.T of the test function
	rt := durabletest.New(t, storeWorker(), nil)
	defer rt.Close()
	storage := rt.State("Store", rt.Namespace("Store").IDFromName("shop")).Storage()
	ctx := context.Background()

	db := sqlstore.Open(storage)
	db.ExecContext(ctx, `CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT NOT NULL, qty INTEGER NOT NULL, note TEXT, at TEXT)`)
	res, _ := db.ExecContext(ctx, `INSERT INTO orders (item, qty, at) VALUES (?, ?, ?)`, "tea", 2, time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
	id, _ := res.LastInsertId()
	fmt.Println("order", id)

	var item string
	var note sql.NullString
	var at sqlstore.Time
	db.QueryRowContext(ctx, `SELECT item, note, at FROM orders WHERE id = ?`, id).Scan(&item, &note, &at)
	fmt.Println(item, note.Valid, at.Format(time.Kitchen))

	// A transaction is a function: it commits when it returns nil.
	err := sqlstore.Transaction(ctx, db, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE orders SET qty = qty - ? WHERE id = ?`, 5, id); err != nil {
			return err
		}
		var qty int
		if err := tx.QueryRowContext(ctx, `SELECT qty FROM orders WHERE id = ?`, id).Scan(&qty); err != nil {
			return err
		}
		if qty < 0 {
			return fmt.Errorf("only %d left", qty+5)
		}
		return nil
	})
	fmt.Println(err)

	_, err = db.BeginTx(ctx, nil)
	fmt.Println(errors.Is(err, sqlstore.ErrBeginTx))
	// Output:
	// order 1
	// tea false 8:00AM
	// only 2 left
	// true
}

// A migration runner over database/sql: each pending migration runs with the
// row that records it in one Transaction, so a failing one leaves nothing
// behind, not even the table it created.
func ExampleTransaction_migrations() {
	t := &testing.T{} // in a real test, the *testing.T of the test function
	rt := durabletest.New(t, storeWorker(), nil)
	defer rt.Close()
	db := sqlstore.Open(rt.State("Store", rt.Namespace("Store").IDFromName("app")).Storage())
	ctx := context.Background()

	migrations := []string{
		1: `CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)`,
		2: `ALTER TABLE users ADD COLUMN email TEXT; CREATE INDEX users_email ON users (email)`,
		3: `CREATE TABLE badges (user_id INTEGER, badge TEXT); INSERT INTO badges SELECT id, nickname FROM users`,
	}
	db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)`)
	for version := 1; version < len(migrations); version++ {
		err := sqlstore.Transaction(ctx, db, func(tx *sql.Tx) error {
			var done bool
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, version).Scan(&done); err != nil || done {
				return err
			}
			if _, err := tx.ExecContext(ctx, migrations[version]); err != nil { // a script: several statements, no arguments
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations VALUES (?)`, version)
			return err
		})
		if err != nil {
			var failed *durable.SQLError
			if errors.As(err, &failed) {
				err = errors.New(failed.Message) // without the query, for a short line
			}
			fmt.Printf("migration %d failed: %v\n", version, err)
			break
		}
	}
	var applied int
	var badges bool
	db.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&applied)
	db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE name = 'badges'`).Scan(&badges)
	fmt.Println("applied up to", applied, "badges table:", badges)
	// Output:
	// migration 3 failed: no such column: nickname at offset 30
	// applied up to 2 badges table: false
}
