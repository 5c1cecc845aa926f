package conformance

import (
	"database/sql"
	"errors"
	"io"
	"math"
	"net/http"
	"reflect"
	"strings"

	"github.com/durableobjects-on-go/durable"
)

// one runs a query that must return exactly one row and returns it.
func one(t T, o *Object, query string, args ...any) durable.Row {
	t.Helper()
	res := exec(t, o, query, args...)
	if len(res.Rows) != 1 {
		t.Fatalf("%q returned %d rows, want 1", query, len(res.Rows))
	}
	return res.Rows[0]
}

// extendedCode asserts err is a *durable.SQLError with the given extended code.
func extendedCode(t T, err error, code string) {
	t.Helper()
	var se *durable.SQLError
	if errors.As(err, &se) && se.ExtendedCode != code {
		t.Errorf("ExtendedCode = %q, want %q (message %q)", se.ExtendedCode, code, se.Message)
	}
}

// sqlError asserts err is a *durable.SQLError with the given code whose message
// contains every part.
func sqlError(t T, err error, code string, parts ...string) {
	t.Helper()
	var se *durable.SQLError
	if !errors.As(err, &se) {
		t.Errorf("error = %v (%T), want a *durable.SQLError", err, err)
		return
	}
	if se.Code != code {
		t.Errorf("Code = %q, want %q (message %q)", se.Code, code, se.Message)
	}
	if strings.Contains(se.Message, "SQLITE_") {
		t.Errorf("message %q still holds a result code", se.Message)
	}
	for _, p := range parts {
		if !strings.Contains(se.Message, p) {
			t.Errorf("message %q lacks %q", se.Message, p)
		}
	}
}

func same(t T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v (%T), want %#v (%T)", what, got, got, want, want)
	}
}

func init() {
	add("sql/int-small-roundtrip", func(t T, o *Object) {
		exec(t, o, `CREATE TABLE n (v INTEGER)`)
		for _, v := range []int64{0, 1, -1, 42, 1 << 31, -(1 << 31), 1<<32 + 7} {
			exec(t, o, `DELETE FROM n`)
			exec(t, o, `INSERT INTO n VALUES (?)`, v)
			same(t, "read back", one(t, o, `SELECT v FROM n`)[0], any(v))
		}
	})
	add("sql/int-safe-edges", func(t T, o *Object) {
		exec(t, o, `CREATE TABLE n (v INTEGER)`)
		for _, v := range []int64{durable.MaxSafeInteger, -durable.MaxSafeInteger, durable.MaxSafeInteger - 1} {
			exec(t, o, `DELETE FROM n`)
			exec(t, o, `INSERT INTO n VALUES (?)`, v)
			same(t, "read back", one(t, o, `SELECT v FROM n`)[0], any(v))
			row := one(t, o, `SELECT typeof(v), CAST(v AS TEXT) FROM n`)
			same(t, "typeof", row[0], any("integer"))
		}
	})
	add("sql/int-arg-out-of-range", func(t T, o *Object) {
		exec(t, o, `CREATE TABLE n (v INTEGER)`)
		for _, v := range []any{int64(1 << 53), int64(-(1 << 53)), int64(math.MaxInt64), int64(math.MinInt64), uint64(1 << 60), uint(1 << 62)} {
			_, err := o.SQL().Exec(`INSERT INTO n VALUES (?)`, v)
			if !errors.Is(err, durable.ErrIntegerRange) {
				t.Errorf("Exec with %v: err = %v, want ErrIntegerRange", v, err)
			}
		}
		same(t, "rows written", one(t, o, `SELECT count(*) FROM n`)[0], any(int64(0)))
	})
	add("sql/int-beyond-2^53-reads-float", func(t T, o *Object) {
		row := one(t, o, `SELECT 9007199254740993, -9007199254740993, 9007199254740992, 9007199254740991`)
		same(t, "2^53+1", row[0], any(float64(9007199254740992)))
		same(t, "-(2^53+1)", row[1], any(float64(-9007199254740992)))
		same(t, "2^53", row[2], any(float64(9007199254740992)))
		same(t, "2^53-1", row[3], any(int64(9007199254740991)))
	})
	add("sql/int64-extremes-via-text", func(t T, o *Object) {
		exec(t, o, `CREATE TABLE n (v INTEGER)`)
		exec(t, o, `INSERT INTO n VALUES (CAST(? AS INTEGER)), (CAST(? AS INTEGER))`, "9223372036854775807", "-9223372036854775808")
		res := exec(t, o, `SELECT CAST(v AS TEXT) FROM n ORDER BY v`)
		var lo, hi int64
		must(t, res.Rows[0].Scan(&lo), "scan min")
		must(t, res.Rows[1].Scan(&hi), "scan max")
		same(t, "min", lo, int64(math.MinInt64))
		same(t, "max", hi, int64(math.MaxInt64))
		same(t, "typeof", one(t, o, `SELECT typeof(max(v)) FROM n`)[0], any("integer"))
	})
	add("sql/number-args-bind-as-real", func(t T, o *Object) {
		// Every number crosses JavaScript as a double, so it binds as REAL.
		row := one(t, o, `SELECT typeof(?), typeof(?), typeof(?), ? || ''`, 5, 2.5, true, 7)
		same(t, "typeof(int)", row[0], any("real"))
		same(t, "typeof(float)", row[1], any("real"))
		same(t, "typeof(bool)", row[2], any("real"))
		same(t, "7 as text", row[3], any("7.0"))
		exec(t, o, `CREATE TABLE n (i INTEGER, a ANY, b)`)
		exec(t, o, `INSERT INTO n VALUES (?, ?, ?)`, 5, 5, 5)
		row = one(t, o, `SELECT typeof(i), typeof(a), typeof(b) FROM n`)
		same(t, "INTEGER column", row[0], any("integer"))
		same(t, "untyped column", row[2], any("real"))
	})
	add("sql/real-integral-reads-int", func(t T, o *Object) {
		row := one(t, o, `SELECT 2.0, 2.5, -3.0, 1e15, 1e16, 0.0`)
		same(t, "2.0", row[0], any(int64(2)))
		same(t, "2.5", row[1], any(2.5))
		same(t, "-3.0", row[2], any(int64(-3)))
		same(t, "1e15", row[3], any(int64(1e15)))
		same(t, "1e16", row[4], any(float64(1e16)))
		same(t, "0.0", row[5], any(int64(0)))
	})
	add("sql/float-roundtrip", func(t T, o *Object) {
		exec(t, o, `CREATE TABLE f (v REAL)`)
		for _, v := range []float64{0.1, -2.5, 1e300, -1e-300, math.MaxFloat64, math.SmallestNonzeroFloat64, math.Pi} {
			exec(t, o, `DELETE FROM f`)
			exec(t, o, `INSERT INTO f VALUES (?)`, v)
			same(t, "read back", one(t, o, `SELECT v FROM f`)[0], any(v))
		}
		exec(t, o, `DELETE FROM f`)
		exec(t, o, `INSERT INTO f VALUES (?)`, float32(0.5))
		row := one(t, o, `SELECT v FROM f`)
		if row[0] != any(0.5) {
			t.Errorf("float32 0.5 read back as %#v", row[0])
		}
	})
	add("sql/float-nan-and-infinity", func(t T, o *Object) {
		row := one(t, o, `SELECT ?, ?, ?, typeof(?)`, math.Inf(1), math.Inf(-1), math.NaN(), math.NaN())
		same(t, "+Inf", row[0], any(math.Inf(1)))
		same(t, "-Inf", row[1], any(math.Inf(-1)))
		same(t, "NaN binds as NULL", row[2], nil)
		same(t, "typeof(NaN)", row[3], any("null"))
	})
	add("sql/text-roundtrip", func(t T, o *Object) {
		exec(t, o, `CREATE TABLE s (v TEXT)`)
		for _, v := range []string{"", "plain", "a\x00b", "😀 emoji", "héllo wörld", "日本語", strings.Repeat("x", 10000), "tab\tnew\nline", "\u2028"} {
			exec(t, o, `DELETE FROM s`)
			exec(t, o, `INSERT INTO s VALUES (?)`, v)
			same(t, "read back", one(t, o, `SELECT v FROM s`)[0], any(v))
		}
		same(t, "length of emoji", one(t, o, `SELECT length(?)`, "😀")[0], any(int64(1)))
	})
	add("sql/text-invalid-utf8-is-replaced", func(t T, o *Object) {
		// Text SQLite makes crosses JavaScript, which makes it valid UTF-8 (U+FFFD).
		row := one(t, o, `SELECT CAST(x'41ff42' AS TEXT), CAST(x'78e28279' AS TEXT)`)
		same(t, "lone 0xff", row[0], any("A\uFFFDB"))
		same(t, "truncated sequence", row[1], any("x\uFFFDy"))
	})
	add("sql/invalid-utf8-is-refused", func(t T, o *Object) {
		// Go strings that JavaScript would change are refused before they run.
		exec(t, o, `CREATE TABLE u (v TEXT)`)
		for _, arg := range []string{"a\xffb", "x\xe2\x82y"} {
			_, err := o.SQL().Exec(`INSERT INTO u VALUES (?)`, arg)
			if !errors.Is(err, durable.ErrInvalidUTF8) || !errors.Is(err, durable.ErrUnsupportedType) {
				t.Errorf("Exec with argument %q = %v, want ErrInvalidUTF8", arg, err)
			}
		}
		if _, err := o.SQL().Exec("INSERT INTO u VALUES ('a\xffb')"); !errors.Is(err, durable.ErrInvalidUTF8) {
			t.Errorf("Exec of invalid UTF-8 SQL text = %v, want ErrInvalidUTF8", err)
		}
		for _, err := range o.SQL().Query("SELECT '\xff'") {
			if !errors.Is(err, durable.ErrInvalidUTF8) {
				t.Errorf("Query of invalid UTF-8 SQL text = %v, want ErrInvalidUTF8", err)
			}
			break
		}
		same(t, "rows written", one(t, o, `SELECT count(*) FROM u`)[0], any(int64(0)))
	})
	add("sql/blob-roundtrip", func(t T, o *Object) {
		exec(t, o, `CREATE TABLE b (v BLOB)`)
		for _, v := range [][]byte{{0, 1, 2, 255}, []byte("text as bytes"), make([]byte, 70000)} {
			exec(t, o, `DELETE FROM b`)
			exec(t, o, `INSERT INTO b VALUES (?)`, v)
			row := one(t, o, `SELECT v, typeof(v), length(v) FROM b`)
			same(t, "read back", row[0], any(v))
			same(t, "typeof", row[1], any("blob"))
		}
		same(t, "x'' literal", one(t, o, `SELECT x''`)[0], any([]byte{}))
	})
	add("sql/empty-blob-arg", func(t T, o *Object) {
		row := one(t, o, `SELECT typeof(?), length(?)`, []byte{}, []byte{})
		t.Logf("empty blob argument: typeof %v, length %v", row[0], row[1])
		same(t, "typeof(empty blob)", row[0], any("blob"))
	})
	add("sql/null-and-bool-args", func(t T, o *Object) {
		row := one(t, o, `SELECT ?, typeof(?), ?, ?`, nil, nil, true, false)
		same(t, "nil", row[0], nil)
		same(t, "typeof(nil)", row[1], any("null"))
		same(t, "true", row[2], any(int64(1)))
		same(t, "false", row[3], any(int64(0)))
	})
	add("sql/unsupported-arg-type", func(t T, o *Object) {
		for _, v := range []any{struct{}{}, []int{1}, map[string]int{}} {
			if _, err := o.SQL().Exec(`SELECT ?`, v); !errors.Is(err, durable.ErrUnsupportedType) {
				t.Errorf("Exec with %T: err = %v, want ErrUnsupportedType", v, err)
			}
		}
	})
	add("sql/scan-null", func(t T, o *Object) {
		row := one(t, o, `SELECT NULL, NULL, NULL, NULL, NULL, NULL`)
		var a any = "x"
		s := new(string)
		var ns sql.NullString
		var ni sql.NullInt64
		var nf sql.NullFloat64
		var b []byte = []byte("x")
		must(t, row.Scan(&a, &s, &ns, &ni, &nf, &b), "Scan")
		same(t, "*any", a, nil)
		same(t, "**string", s, (*string)(nil))
		same(t, "NullString.Valid", ns.Valid, false)
		same(t, "NullInt64.Valid", ni.Valid, false)
		same(t, "NullFloat64.Valid", nf.Valid, false)
		same(t, "[]byte", b, []byte(nil))
		var plain string
		if err := one(t, o, `SELECT NULL`).Scan(&plain); err == nil {
			t.Errorf("scanning NULL into *string succeeded")
		}
		var n int64
		if err := one(t, o, `SELECT NULL`).Scan(&n); err == nil {
			t.Errorf("scanning NULL into *int64 succeeded")
		}
	})
	add("sql/scan-conversions", func(t T, o *Object) {
		row := one(t, o, `SELECT 300, '12', 2.0, 2.5, 'x', 1, 0`)
		var i8 int8
		if err := (durable.Row{row[0]}).Scan(&i8); err == nil {
			t.Errorf("300 fit in an int8")
		}
		var i int
		must(t, durable.Row{row[1]}.Scan(&i), "scan '12' into int")
		same(t, "'12'", i, 12)
		var u uint16
		must(t, durable.Row{row[2]}.Scan(&u), "scan 2.0 into uint16")
		same(t, "2.0", u, uint16(2))
		if err := (durable.Row{row[3]}).Scan(&i); err == nil {
			t.Errorf("2.5 scanned into an int")
		}
		var f float32
		must(t, durable.Row{row[3]}.Scan(&f), "scan 2.5 into float32")
		same(t, "float32", f, float32(2.5))
		var s string
		must(t, durable.Row{row[0]}.Scan(&s), "scan 300 into string")
		same(t, "300 as string", s, "300")
		var yes, no bool
		must(t, durable.Row{row[5], row[6]}.Scan(&yes, &no), "scan bools")
		same(t, "bools", []bool{yes, no}, []bool{true, false})
		pi := new(*int64)
		must(t, durable.Row{row[0]}.Scan(pi), "scan into **int64")
		if *pi == nil || **pi != 300 {
			t.Errorf("**int64 = %v", *pi)
		}
		if err := row.Scan(&i); err == nil {
			t.Errorf("Scan with too few destinations succeeded")
		}
	})
	add("sql/column-names", func(t T, o *Object) {
		exec(t, o, `CREATE TABLE people (id INTEGER PRIMARY KEY, "full name" TEXT, age INTEGER)`)
		res := exec(t, o, `SELECT * FROM people`)
		same(t, "SELECT * columns", res.Columns, []string{"id", "full name", "age"})
		same(t, "rows", len(res.Rows), 0)
		res = exec(t, o, `SELECT 1 AS a, 'x' AS "b c", 1+1, count(*) FROM people`)
		same(t, "expression columns", res.Columns, []string{"a", "b c", "1+1", "count(*)"})
		res = exec(t, o, `INSERT INTO people (age) VALUES (3)`)
		same(t, "INSERT columns", len(res.Columns), 0)
		res = exec(t, o, `INSERT INTO people (age) VALUES (4) RETURNING id, age`)
		same(t, "RETURNING columns", res.Columns, []string{"id", "age"})
		same(t, "RETURNING row", res.Rows, []durable.Row{{int64(2), int64(4)}})
	})
	add("sql/result-one", func(t T, o *Object) {
		exec(t, o, `CREATE TABLE t (v INTEGER)`)
		var v int64
		if err := exec(t, o, `SELECT v FROM t`).One(&v); !errors.Is(err, durable.ErrNoRows) {
			t.Errorf("One on no rows = %v", err)
		}
		exec(t, o, `INSERT INTO t VALUES (1), (2)`)
		if err := exec(t, o, `SELECT v FROM t`).One(&v); !errors.Is(err, durable.ErrTooManyRows) {
			t.Errorf("One on two rows = %v", err)
		}
		must(t, exec(t, o, `SELECT v FROM t WHERE v = 2`).One(&v), "One")
		same(t, "v", v, int64(2))
	})
	add("sql/rows-read-written", func(t T, o *Object) {
		exec(t, o, `CREATE TABLE t (v INTEGER)`)
		res := exec(t, o, `INSERT INTO t VALUES (1), (2), (3)`)
		t.Logf("INSERT 3 rows: read %d, written %d", res.RowsRead, res.RowsWritten)
		if res.RowsWritten < 3 {
			t.Errorf("INSERT of 3 rows wrote %d", res.RowsWritten)
		}
		res = exec(t, o, `SELECT * FROM t`)
		t.Logf("SELECT 3 rows: read %d, written %d", res.RowsRead, res.RowsWritten)
		if res.RowsRead < 3 || res.RowsWritten != 0 {
			t.Errorf("SELECT of 3 rows: read %d, written %d", res.RowsRead, res.RowsWritten)
		}
		res = exec(t, o, `UPDATE t SET v = v + 1 WHERE v >= 2`)
		t.Logf("UPDATE 2 rows: read %d, written %d", res.RowsRead, res.RowsWritten)
		if res.RowsWritten < 2 {
			t.Errorf("UPDATE of 2 rows wrote %d", res.RowsWritten)
		}
		res = exec(t, o, `SELECT 1`)
		if res.RowsWritten != 0 {
			t.Errorf("SELECT 1 wrote %d", res.RowsWritten)
		}
	})
	add("sql/multiple-statements", func(t T, o *Object) {
		res := exec(t, o, `CREATE TABLE a (x); INSERT INTO a VALUES (1); INSERT INTO a VALUES (2);
			SELECT x FROM a ORDER BY x`)
		same(t, "last statement's rows", res.Rows, []durable.Row{{int64(1)}, {int64(2)}})
		res = exec(t, o, "SELECT 1;  \n")
		same(t, "trailing semicolon and space", res.Rows, []durable.Row{{int64(1)}})
		_, err := o.SQL().Exec(`INSERT INTO a VALUES (?); SELECT ?`, 1, 2)
		sqlError(t, err, "", "only the last statement can have parameters")
		_, err = o.SQL().Exec(`SELECT 1;;`)
		sqlError(t, err, "", "did not contain a statement")
		_, err = o.SQL().Exec(``)
		sqlError(t, err, "", "did not contain a statement")
		_, err = o.SQL().Exec(`-- only a comment`)
		sqlError(t, err, "", "did not contain a statement")
	})
	add("sql/parameters", func(t T, o *Object) {
		row := one(t, o, `SELECT ?2, ?1, ?2`, "a", "b")
		same(t, "numbered", row, durable.Row{"b", "a", "b"})
		_, err := o.SQL().Exec(`SELECT ?, ?`, 1)
		sqlError(t, err, "", "Wrong number of parameter bindings")
		_, err = o.SQL().Exec(`SELECT 1`, 1)
		sqlError(t, err, "", "Wrong number of parameter bindings")
		args := make([]any, 101)
		q := "SELECT " + strings.Repeat("?,", 100) + "?"
		_, err = o.SQL().Exec(q, args...)
		sqlError(t, err, "SQLITE_ERROR", "too many SQL variables")
		args = make([]any, 100)
		q = "SELECT " + strings.Repeat("?,", 99) + "?"
		exec(t, o, q, args...)
	})
	add("sql/database-size", func(t T, o *Object) {
		before := o.SQL().DatabaseSize()
		exec(t, o, `CREATE TABLE big (b BLOB)`)
		exec(t, o, `INSERT INTO big VALUES (?)`, make([]byte, 200_000))
		after := o.SQL().DatabaseSize()
		t.Logf("DatabaseSize: %d before, %d after 200 kB", before, after)
		if after < before+200_000 {
			t.Errorf("DatabaseSize grew from %d to %d for a 200 kB blob", before, after)
		}
		// PRAGMA page_size is not authorized, but every SQLite page size is a
		// power of two from 512 to 65536: whole pages make a multiple of 512.
		for _, size := range []int64{before, after} {
			if size < 0 || size%512 != 0 {
				t.Errorf("DatabaseSize %d is not a whole number of pages", size)
			}
		}
	})
	add("sql/syntax-error", func(t T, o *Object) {
		_, err := o.SQL().Exec(`SELEC 1`)
		sqlError(t, err, "SQLITE_ERROR", "syntax error")
		var se *durable.SQLError
		if errors.As(err, &se) && se.Query != `SELEC 1` {
			t.Errorf("Query = %q", se.Query)
		}
	})
	add("sql/no-such-table", func(t T, o *Object) {
		_, err := o.SQL().Exec(`SELECT * FROM missing`)
		sqlError(t, err, "SQLITE_ERROR", "no such table: missing")
	})
	add("sql/constraint-errors", func(t T, o *Object) {
		exec(t, o, `CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE, n INTEGER CHECK (n > 0))`)
		exec(t, o, `INSERT INTO t (id, v, n) VALUES (1, 'a', 1)`)
		_, err := o.SQL().Exec(`INSERT INTO t (id, v, n) VALUES (1, 'b', 1)`)
		sqlError(t, err, "SQLITE_CONSTRAINT", "UNIQUE constraint failed: t.id")
		extendedCode(t, err, "SQLITE_CONSTRAINT_PRIMARYKEY")
		_, err = o.SQL().Exec(`INSERT INTO t (id, v, n) VALUES (2, 'a', 1)`)
		sqlError(t, err, "SQLITE_CONSTRAINT", "UNIQUE constraint failed: t.v")
		extendedCode(t, err, "SQLITE_CONSTRAINT_UNIQUE")
		_, err = o.SQL().Exec(`INSERT INTO t (id, v, n) VALUES (3, NULL, 1)`)
		sqlError(t, err, "SQLITE_CONSTRAINT", "NOT NULL constraint failed: t.v")
		extendedCode(t, err, "SQLITE_CONSTRAINT_NOTNULL")
		_, err = o.SQL().Exec(`INSERT INTO t (id, v, n) VALUES (4, 'c', 0)`)
		sqlError(t, err, "SQLITE_CONSTRAINT", "CHECK constraint failed")
		extendedCode(t, err, "SQLITE_CONSTRAINT_CHECK")
		same(t, "rows", one(t, o, `SELECT count(*) FROM t`)[0], any(int64(1)))
	})
	add("sql/runtime-error", func(t T, o *Object) {
		_, err := o.SQL().Exec(`SELECT json('{bad')`)
		sqlError(t, err, "SQLITE_ERROR", "malformed JSON")
	})
	add("sql/transaction-statements-refused", func(t T, o *Object) {
		exec(t, o, `CREATE TABLE t (v)`)
		for _, q := range []string{`BEGIN`, `BEGIN TRANSACTION`, `BEGIN IMMEDIATE`, `COMMIT`, `END`, `ROLLBACK`,
			`SAVEPOINT sp`, `RELEASE sp`, `ROLLBACK TO sp`, `INSERT INTO t VALUES (1); COMMIT`} {
			_, err := o.SQL().Exec(q)
			sqlError(t, err, "", "state.storage.transaction()", "transactionSync()")
		}
		same(t, "insert before the refused COMMIT", one(t, o, `SELECT count(*) FROM t`)[0], any(int64(1)))
	})
	add("sql/attach-refused", func(t T, o *Object) {
		_, err := o.SQL().Exec(`ATTACH DATABASE 'other.db' AS other`)
		sqlError(t, err, "SQLITE_AUTH", "not authorized")
		_, err = o.SQL().Exec(`ATTACH ':memory:' AS mem`)
		sqlError(t, err, "SQLITE_AUTH", "not authorized")
		_, err = o.SQL().Exec(`DETACH DATABASE main`)
		if err == nil {
			t.Errorf("DETACH succeeded")
		}
	})
	add("sql/pragmas-allowed", func(t T, o *Object) {
		exec(t, o, `CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT)`)
		exec(t, o, `CREATE INDEX t_b ON t (b)`)
		res := exec(t, o, `PRAGMA table_info(t)`)
		if len(res.Rows) != 2 {
			t.Errorf("table_info(t) rows = %v", res.Rows)
		}
		for _, q := range []string{`PRAGMA table_list`, `PRAGMA table_xinfo(t)`, `PRAGMA index_list(t)`,
			`PRAGMA index_info(t_b)`, `PRAGMA index_xinfo(t_b)`, `PRAGMA foreign_key_list(t)`, `PRAGMA foreign_key_check`,
			`PRAGMA foreign_keys`, `PRAGMA foreign_keys = ON`, `PRAGMA foreign_keys = off`, `PRAGMA defer_foreign_keys = true`,
			`PRAGMA case_sensitive_like = 1`, `PRAGMA recursive_triggers = 'yes'`, `PRAGMA reverse_unordered_selects = no`,
			`PRAGMA ignore_check_constraints = 0`, `PRAGMA legacy_alter_table = false`, `PRAGMA data_version`,
			`PRAGMA quick_check`, `PRAGMA quick_check(t)`, `PRAGMA quick_check(5)`, `PRAGMA optimize`, `PRAGMA optimize(2)`} {
			if _, err := o.SQL().Exec(q); err != nil {
				t.Errorf("%s: %v", q, err)
			}
		}
	})
	add("sql/pragmas-refused", func(t T, o *Object) {
		exec(t, o, `CREATE TABLE t (a)`)
		for _, q := range []string{`PRAGMA journal_mode`, `PRAGMA journal_mode = DELETE`, `PRAGMA user_version`,
			`PRAGMA user_version = 3`, `PRAGMA page_size`, `PRAGMA schema_version`, `PRAGMA writable_schema = ON`,
			`PRAGMA integrity_check`, `PRAGMA table_info(_cf_KV)`, `PRAGMA foreign_keys = maybe`, `PRAGMA data_version = 1`,
			`PRAGMA FOREIGN_KEYS`, `PRAGMA index_list`, `PRAGMA optimize(x)`, `PRAGMA cache_size = 10`, `PRAGMA compile_options`} {
			_, err := o.SQL().Exec(q)
			sqlError(t, err, "SQLITE_AUTH", "not authorized")
		}
	})
	add("sql/cf-names-refused", func(t T, o *Object) {
		exec(t, o, `CREATE TABLE t (a)`)
		for _, q := range []string{`CREATE TABLE _cf_mine (a)`, `CREATE INDEX _cf_idx ON t (a)`, `CREATE VIEW _cf_v AS SELECT 1`,
			`CREATE TRIGGER _cf_trg AFTER INSERT ON t BEGIN SELECT 1; END`} {
			_, err := o.SQL().Exec(q)
			sqlError(t, err, "SQLITE_AUTH", "not authorized")
		}
		_, err := o.SQL().Exec(`ALTER TABLE t RENAME TO _cf_t`)
		t.Logf("ALTER TABLE t RENAME TO _cf_t: %v", err)
		// Case matters: only "_cf_" is reserved.
		exec(t, o, `CREATE TABLE _CF_upper (a)`)
		exec(t, o, `CREATE TABLE cf_plain (a)`)
	})
	add("sql/functions-allow-list", func(t T, o *Object) {
		row := one(t, o, `SELECT abs(-2), lower('A'), json_extract('{"a":3}', '$.a'), '{"b":4}' ->> '$.b',
			unixepoch('2020-01-01'), typeof(random()), hex(randomblob(2)) != '', round(2.5), concat('a', 'b'), iif(1, 'y', 'n')`)
		same(t, "results", row[:5], durable.Row{int64(2), "a", int64(3), int64(4), int64(1577836800)})
		for _, q := range []string{`SELECT sqlite_version()`, `SELECT sqlite_source_id()`} {
			_, err := o.SQL().Exec(q)
			sqlError(t, err, "SQLITE_ERROR", "not authorized")
		}
	})
	add("sql/temp-objects-refused", func(t T, o *Object) {
		for _, q := range []string{`CREATE TEMP TABLE tt (a)`, `CREATE TEMPORARY VIEW tv AS SELECT 1`} {
			_, err := o.SQL().Exec(q)
			sqlError(t, err, "SQLITE_AUTH", "not authorized")
		}
	})
	add("sql/recursive-cte-and-window", func(t T, o *Object) {
		res := exec(t, o, `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5)
			SELECT x, sum(x) OVER (ORDER BY x) FROM c`)
		same(t, "rows", len(res.Rows), 5)
		same(t, "last", res.Rows[4], durable.Row{int64(5), int64(15)})
	})
	add("sql/fts5-allowed", func(t T, o *Object) {
		exec(t, o, `CREATE VIRTUAL TABLE docs USING fts5(body)`)
		exec(t, o, `INSERT INTO docs VALUES ('the quick brown fox'), ('lazy dogs')`)
		res := exec(t, o, `SELECT body FROM docs WHERE docs MATCH 'quick'`)
		same(t, "match", res.Rows, []durable.Row{{"the quick brown fox"}})
		_, err := o.SQL().Exec(`CREATE VIRTUAL TABLE r USING rtree(id, a, b)`)
		if err == nil {
			t.Errorf("rtree virtual table allowed")
		}
	})
	add("sql/foreign-keys", func(t T, o *Object) {
		fk := one(t, o, `PRAGMA foreign_keys`)[0]
		same(t, "foreign_keys default", fk, any(int64(1)))
		exec(t, o, `CREATE TABLE parent (id INTEGER PRIMARY KEY)`)
		exec(t, o, `CREATE TABLE child (p INTEGER REFERENCES parent (id))`)
		_, err := o.SQL().Exec(`INSERT INTO child VALUES (7)`)
		sqlError(t, err, "SQLITE_CONSTRAINT", "FOREIGN KEY constraint failed")
		// The writes above opened this turn's implicit transaction, inside which
		// SQLite ignores PRAGMA foreign_keys.
		exec(t, o, `PRAGMA foreign_keys = OFF`)
		same(t, "foreign_keys after OFF in the same turn", one(t, o, `PRAGMA foreign_keys`)[0], any(int64(1)))
		_, err = o.SQL().Exec(`INSERT INTO child VALUES (7)`)
		sqlError(t, err, "SQLITE_CONSTRAINT", "FOREIGN KEY constraint failed")
		// After an await, a new turn starts with the pragma.
		call(t, o, peerStub(t, o, PeerBinding, o.Unique("turn")), http.MethodGet, "https://peer/instance", nil)
		exec(t, o, `PRAGMA foreign_keys = OFF`)
		after := one(t, o, `PRAGMA foreign_keys`)[0]
		_, err = o.SQL().Exec(`INSERT INTO child VALUES (8)`)
		same(t, "foreign_keys after OFF first in a new turn", after, any(int64(0)))
		if err != nil {
			t.Errorf("insert with foreign keys off: %v", err)
		}
	})
	add("sql/schema-lists-user-tables", func(t T, o *Object) {
		exec(t, o, `CREATE TABLE mine (a)`)
		// (wrangler dev's Miniflare adds a table of its own, __miniflare_do_name.)
		res := exec(t, o, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\_cf\_%' ESCAPE '\'
			AND name NOT LIKE '\_\_miniflare%' ESCAPE '\' ORDER BY name`)
		same(t, "user tables", res.Rows, []durable.Row{{"mine"}})
	})
}

func init() {
	add("sql/commit-failure-resets-object", func(t T, o *Object) {
		// The peer's handler breaks a deferred foreign key and returns normally;
		// the commit at the end of its turn fails. workerd then rolls the turn
		// back, fails the event with an exception instead of the response, and
		// resets the object: the stub that saw it stays broken, a new stub
		// reaches a new instance over the last committed state.
		name := o.Unique("fk")
		stub := peerStub(t, o, PeerBinding, name)
		_, before := call(t, o, stub, http.MethodGet, "https://peer/instance", nil)
		call(t, o, stub, http.MethodPut, "https://peer/kv?key=kept", text("kept"))
		req, _ := http.NewRequestWithContext(o.Ctx, http.MethodPost, "https://peer/fk-violation", nil)
		resp, err := stub.Fetch(req)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			t.Fatalf("the event whose commit failed answered %d %q", resp.StatusCode, b)
		}
		t.Logf("the event failed: %v", err)
		for _, part := range []string{"reset", "FOREIGN KEY constraint failed", "SQLITE_CONSTRAINT"} {
			if !strings.Contains(err.Error(), part) {
				t.Errorf("error %q lacks %q", err, part)
			}
		}
		req, _ = http.NewRequestWithContext(o.Ctx, http.MethodGet, "https://peer/instance", nil)
		if resp, again := stub.Fetch(req); again == nil {
			resp.Body.Close()
			t.Errorf("the stub that saw the reset still works: %d", resp.StatusCode)
		}
		stub = peerStub(t, o, PeerBinding, name)
		_, after := call(t, o, stub, http.MethodGet, "https://peer/instance", nil)
		if after == "" || after == before {
			t.Errorf("instance %q after the reset, %q before: the object was not reset", after, before)
		}
		resp, _ = call(t, o, stub, http.MethodGet, "https://peer/kv?key=fk-turn", nil)
		same(t, "a KV write of the failed turn (status)", resp.StatusCode, http.StatusNotFound)
		_, body := call(t, o, stub, http.MethodGet, "https://peer/kv?key=kept", nil)
		same(t, "a KV write committed before", body, "kept")
		_, body = call(t, o, stub, http.MethodPost, "https://peer/incr", nil)
		same(t, "the new instance serves on the committed tables", body, "1")
	})
}
