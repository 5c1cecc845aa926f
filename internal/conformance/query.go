package conformance

import (
	"errors"
	"strconv"

	"github.com/durableobjects-on-go/durable"
)

// bigRows is more rows than one chunk on either runtime (256 natively, up to
// 1024 on workerd), so that iteration crosses chunks.
const bigRows = 3000

func bigTable(t T, o *Object) {
	t.Helper()
	exec(t, o, `CREATE TABLE big (n INTEGER PRIMARY KEY, label TEXT NOT NULL)`)
	exec(t, o, `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?)
		INSERT INTO big SELECT x, 'row ' || x FROM c`, bigRows)
}

type bigRow struct {
	N     int64  `durable:"n"`
	Label string `durable:"label"`
}

func init() {
	add("sql/query-iterates-every-row", func(t T, o *Object) {
		bigTable(t, o)
		count, sum := 0, int64(0)
		for row, err := range o.SQL().Query(`SELECT n, label FROM big WHERE n > ? ORDER BY n`, 0) {
			must(t, err, "Query")
			count++
			n := row[0].(int64)
			if n != int64(count) {
				t.Fatalf("row %d has n = %d", count, n)
			}
			sum += n
		}
		same(t, "rows", count, bigRows)
		same(t, "sum", sum, int64(bigRows*(bigRows+1)/2))
		typed := 0
		for r, err := range durable.Query[bigRow](o.SQL(), `SELECT n, label FROM big ORDER BY n DESC`) {
			must(t, err, "Query[bigRow]")
			if want := int64(bigRows - typed); r.N != want || r.Label != "row "+strconv.FormatInt(want, 10) {
				t.Fatalf("typed row %d = %+v", typed, r)
			}
			typed++
		}
		same(t, "typed rows", typed, bigRows)
		for range o.SQL().Query(`SELECT n FROM big WHERE n < 0`) {
			t.Errorf("a query with no rows yielded one")
		}
	})
	add("sql/query-break-releases-the-statement", func(t T, o *Object) {
		bigTable(t, o)
		seen := 0
		for _, err := range o.SQL().Query(`SELECT n FROM big ORDER BY n`) {
			must(t, err, "Query")
			if seen++; seen == 10 {
				break
			}
		}
		same(t, "rows before the break", seen, 10)
		// SQLite refuses to drop a table that an unfinished statement reads:
		// this passes only if the break released the statement.
		exec(t, o, `DROP TABLE big`)
	})
	add("sql/query-body-uses-the-database", func(t T, o *Object) {
		bigTable(t, o)
		exec(t, o, `CREATE TABLE evens (n INTEGER PRIMARY KEY)`)
		for row, err := range o.SQL().Query(`SELECT n FROM big ORDER BY n`) {
			must(t, err, "Query")
			if n := row[0].(int64); n%2 == 0 {
				exec(t, o, `INSERT INTO evens VALUES (?)`, n)
			}
		}
		n, err := durable.One[int](exec(t, o, `SELECT count(*) FROM evens`))
		if err != nil || n != bigRows/2 {
			t.Errorf("evens = %d, %v", n, err)
		}
	})
	add("sql/query-nested-same-text", func(t T, o *Object) {
		bigTable(t, o)
		const q = `SELECT n FROM big WHERE n <= ? ORDER BY n`
		pairs := 0
		for outer, err := range durable.Query[int](o.SQL(), q, 3) {
			must(t, err, "outer Query")
			for inner, err := range durable.Query[int](o.SQL(), q, 3) {
				must(t, err, "inner Query")
				if inner < 1 || inner > 3 || outer < 1 || outer > 3 {
					t.Errorf("pair (%d, %d)", outer, inner)
				}
				pairs++
			}
		}
		same(t, "pairs", pairs, 9)
	})
	add("sql/query-errors", func(t T, o *Object) {
		errs := 0
		for row, err := range o.SQL().Query(`SELEC 1`) {
			errs++
			if row != nil {
				t.Errorf("row with the error = %v", row)
			}
			sqlError(t, err, "SQLITE_ERROR", "syntax error")
		}
		same(t, "errors yielded", errs, 1)
		for _, err := range o.SQL().Query(`SELECT ?`, int64(1)<<60) {
			if !errors.Is(err, durable.ErrIntegerRange) {
				t.Errorf("out-of-range argument: %v", err)
			}
		}
		bigTable(t, o)
		decoded := 0
		for _, err := range durable.Query[bigRow](o.SQL(), `SELECT n, label, 1 AS extra FROM big`) {
			columnError(t, err, "extra", durable.ErrUnknownColumn)
			decoded++
		}
		same(t, "yields of a query whose columns do not fit", decoded, 1)
		for r, err := range durable.Query[int](o.SQL(), `SELECT CASE WHEN n = 2000 THEN 'two thousand' ELSE n END FROM big ORDER BY n`) {
			if err != nil {
				var ce *durable.ColumnError
				if !errors.As(err, &ce) || ce.Row != 1999 {
					t.Errorf("error at row 2000 = %v", err)
				}
				break
			}
			if r == 2000 {
				t.Errorf("row 2000 decoded")
			}
		}
	})
	add("sql/query-runs-writes", func(t T, o *Object) {
		exec(t, o, `CREATE TABLE t (n INTEGER)`)
		var got []int64
		for n, err := range durable.Query[int64](o.SQL(), `INSERT INTO t VALUES (1), (2), (3) RETURNING n`) {
			must(t, err, "Query INSERT RETURNING")
			got = append(got, n)
		}
		same(t, "returned", got, []int64{1, 2, 3})
		n, _ := durable.One[int](exec(t, o, `SELECT count(*) FROM t`))
		same(t, "rows written", n, 3)
	})
}
