package durabletest

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/ext/fts5"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/sqlvalue"
)

// database is one object's SQLite database, run under workerd's rules. Every
// method is safe for concurrent use: one mutex serializes the calls, as workerd's
// single thread does.
type database struct {
	mu   sync.Mutex
	conn *sqlite3.Conn
	path string // "" for an in-memory database

	trusted     bool   // the runtime's own statements: the authorizer allows all
	authMessage string // a better message the authorizer left for a refusal
	kvReady     bool   // the _cf_KV table exists
	txDepth     int    // open Storage.Transaction calls
	txSeq       uint64 // Storage.Transaction calls so far, for savepoint names
	turn        bool   // an event of the object is running Go code
	implicit    bool   // the turn's implicit transaction is open
	discard     bool   // the object was aborted: endTurn rolls back (lifecycle.go)
	closed      bool

	cursors  map[*cursor]bool // open SQL.Query statements, closed with the database
	bookmark uint64           // the next stand-in bookmark (see Bookmark)
}

// startTurn and endTurn bracket a turn: Go code of one event running without
// awaiting. Like workerd, which coalesces the writes of a turn into one implicit
// transaction committed when the turn ends, the first write of a turn begins a
// transaction and endTurn commits it. (So, as on workerd, PRAGMA foreign_keys
// cannot change after a write in the same turn.)
func (db *database) startTurn() {
	db.mu.Lock()
	db.turn = true
	db.mu.Unlock()
}

// endTurn commits the turn's implicit transaction. When the commit fails (a
// deferred foreign key still violated, say), the turn's writes are rolled back
// and endTurn returns workerd's message for it; the caller must then reset the
// object, as workerd does.
func (db *database) endTurn() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	db.turn = false
	if db.discard {
		db.discardTurn()
		return nil
	}
	if !db.implicit || db.closed {
		db.implicit = false
		return nil
	}
	db.implicit = false
	err := db.trustedConnExec("COMMIT")
	if err == nil {
		return nil
	}
	msg := errorMessage(err, "")
	if !db.conn.GetAutocommit() {
		if rbErr := db.trustedConnExec("ROLLBACK"); rbErr != nil {
			msg += "; rolling back failed too: " + errorMessage(rbErr, "")
		}
	}
	db.checkKV() // the rollback may have dropped a _cf_KV made in the turn
	if errors.Is(err, sqlite3.CONSTRAINT) {
		return &resetError{"Durable Object was reset and rolled back to its last known good state because the application left the database in a state where constraints were violated: " + msg}
	}
	return &resetError{"Durable Object was reset and rolled back to its last known good state because committing its writes failed: " + msg}
}

// resetError is why an object was reset: its turn's writes could not be
// committed. Every event in flight on the object fails with it, and so does
// every later call through a stub that saw it.
type resetError struct{ msg string }

func (e *resetError) Error() string { return e.msg }

// beforeWrite runs before a statement that may write. db.mu must be held.
func (db *database) beforeWrite() {
	if db.turn && !db.implicit && db.conn.GetAutocommit() {
		if db.trustedConnExec("BEGIN") == nil {
			db.implicit = true
		}
	}
}

func (db *database) trustedConnExec(sql string) error {
	saved := db.trusted
	db.trusted = true
	defer func() { db.trusted = saved }()
	return db.conn.Exec(sql)
}

// openDatabase opens (creating when needed) the database at path, or an in-memory
// one when path is "", and sets it up the way workerd does.
func openDatabase(path string) (*database, error) {
	name := path
	if name == "" {
		name = ":memory:"
	}
	conn, err := sqlite3.OpenFlags(name, sqlite3.OPEN_READWRITE|sqlite3.OPEN_CREATE|sqlite3.OPEN_NOMUTEX)
	if err != nil {
		return nil, fmt.Errorf("durabletest: opening SQLite database %s: %w", name, err)
	}
	db := &database{conn: conn, path: path}
	if _, err := conn.Config(sqlite3.DBCONFIG_DEFENSIVE, true); err != nil {
		conn.Close()
		return nil, fmt.Errorf("durabletest: configuring SQLite: %w", err)
	}
	for _, l := range limits {
		conn.Limit(l.id, l.value)
	}
	// workerd's SQLite has FTS5 built in; here it is an extension to register.
	if err := fts5.Register(conn); err != nil {
		conn.Close()
		return nil, fmt.Errorf("durabletest: registering FTS5: %w", err)
	}
	if err := conn.SetAuthorizer(db.authorize); err != nil {
		conn.Close()
		return nil, fmt.Errorf("durabletest: installing the SQL authorizer: %w", err)
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	db.checkKV()
	return db, nil
}

func (db *database) close() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return nil
	}
	db.closed = true
	for c := range db.cursors {
		c.stmt.Close()
		c.stmt = nil
	}
	db.cursors = nil
	return db.conn.Close()
}

var errClosed = errors.New("durabletest: the runtime was closed (its test has ended)")

// exec runs user SQL: the rules of Storage.SQL().Exec on workerd.
func (db *database) exec(query string, args []any) (*durable.Result, error) {
	canon, err := sqlvalue.Args(args)
	if err != nil {
		return nil, err
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return nil, errClosed
	}
	res, msg := db.run(query, canon)
	if msg != "" {
		return nil, sqlvalue.Error(query, msg)
	}
	return res, nil
}

// execTrusted runs the runtime's own SQL, which the authorizer does not restrict.
// db.mu must be held.
func (db *database) execTrusted(query string, args ...any) (*durable.Result, error) {
	db.trusted = true
	defer func() { db.trusted = false }()
	res, msg := db.run(query, args)
	if msg != "" {
		return nil, fmt.Errorf("durabletest: internal SQL %q failed: %s", query, msg)
	}
	return res, nil
}

// run executes query the way workerd's SqliteDatabase does: statements before the
// last one run at once and may not take parameters; the last one returns the
// rows. It returns workerd's error message on failure. db.mu must be held.
func (db *database) run(query string, args []any) (*durable.Result, string) {
	stmt, msg := db.prepareLast(query, args)
	if msg != "" {
		return nil, msg
	}
	defer stmt.Close()
	return db.runLast(stmt)
}

// prepareLast runs every statement of query but the last, and returns the
// last one prepared, bound to args and not yet stepped, for the caller to
// close. db.mu must be held.
func (db *database) prepareLast(query string, args []any) (*sqlite3.Stmt, string) {
	code := query
	for {
		db.authMessage = ""
		stmt, tail, err := db.conn.Prepare(code)
		if err != nil {
			if db.authMessage != "" && errors.Is(err, sqlite3.AUTH) {
				return nil, db.authMessage
			}
			return nil, errorMessage(err, code)
		}
		if stmt == nil {
			return nil, "SQL code did not contain a statement."
		}
		tail = strings.TrimLeft(tail, " \t\n\r\v\f")
		if !stmt.ReadOnly() {
			db.beforeWrite()
		}
		if tail == "" {
			if msg := bindAll(stmt, args); msg != "" {
				stmt.Close()
				return nil, msg
			}
			return stmt, ""
		}
		if stmt.BindCount() != 0 {
			stmt.Close()
			return nil, "When executing multiple SQL statements in a single call, only the last statement can have parameters."
		}
		// workerd steps an intermediate statement once and discards any row.
		stmt.Step()
		err = stmt.Err()
		stmt.Close()
		if err != nil {
			return nil, errorMessage(err, "")
		}
		code = tail
	}
}

func bindAll(stmt *sqlite3.Stmt, args []any) string {
	if stmt.BindCount() != len(args) {
		return "Wrong number of parameter bindings for SQL query."
	}
	for i, a := range args {
		if err := bind(stmt, i+1, a); err != nil {
			return errorMessage(err, "")
		}
	}
	return ""
}

func (db *database) runLast(stmt *sqlite3.Stmt) (*durable.Result, string) {
	changesBefore := db.conn.TotalChanges()
	res := &durable.Result{Columns: make([]string, stmt.ColumnCount()), Rows: make([]durable.Row, 0)}
	for i := range res.Columns {
		res.Columns[i] = stmt.ColumnName(i)
	}
	for stmt.Step() {
		row := make(durable.Row, len(res.Columns))
		for i := range row {
			row[i] = column(stmt, i)
		}
		res.Rows = append(res.Rows, row)
	}
	if err := stmt.Err(); err != nil {
		return nil, errorMessage(err, "")
	}
	// workerd counts rows with a patched SQLite (LIBSQL_STMTSTATUS_ROWS_READ and
	// _WRITTEN), which stock SQLite lacks. These are approximations: rows changed,
	// and rows visited by full scans or returned.
	if !stmt.ReadOnly() {
		res.RowsWritten = db.conn.TotalChanges() - changesBefore
	}
	res.RowsRead = max(int64(len(res.Rows)), int64(stmt.Status(sqlite3.STMTSTATUS_FULLSCAN_STEP, false)))
	return res, ""
}

// bind binds a canonical argument (see sqlvalue.Arg) the way workerd does: every
// number arrives from JavaScript as a double, and strings as valid UTF-8.
func bind(stmt *sqlite3.Stmt, i int, v any) error {
	switch a := v.(type) {
	case nil:
		return stmt.BindNull(i)
	case int64:
		return stmt.BindFloat(i, float64(a))
	case float64:
		return stmt.BindFloat(i, a)
	case string:
		return stmt.BindText(i, jsString(a))
	case rawText:
		return stmt.BindText(i, string(a))
	case []byte:
		if a == nil {
			a = []byte{}
		}
		return stmt.BindBlob(i, a)
	}
	return fmt.Errorf("%w: %T", durable.ErrUnsupportedType, v)
}

// column reads a value the way it reaches Go on workerd: numbers through a
// double, text as valid UTF-8, blobs as non-nil byte slices.
func column(stmt *sqlite3.Stmt, i int) any {
	switch stmt.ColumnType(i) {
	case sqlite3.INTEGER:
		return sqlvalue.Number(float64(stmt.ColumnInt64(i)))
	case sqlite3.FLOAT:
		return sqlvalue.Number(stmt.ColumnFloat(i))
	case sqlite3.TEXT:
		return jsString(string(stmt.ColumnRawText(i)))
	case sqlite3.BLOB:
		return append([]byte{}, stmt.ColumnRawBlob(i)...)
	}
	return nil
}

// errorMessage renders a SQLite error as workerd does: "message[ at offset
// N]: SQLITE_CODE". code is the SQL being prepared, for the offset.
func errorMessage(err error, code string) string {
	var serr *sqlite3.Error
	if !errors.As(err, &serr) {
		var ec sqlite3.ErrorCode
		if errors.As(err, &ec) {
			return strings.TrimPrefix(ec.Error(), "sqlite3: ") + ": " + codeName(ec)
		}
		return err.Error()
	}
	generic := serr.Code().Error()
	msg := strings.TrimPrefix(strings.TrimPrefix(serr.Error(), generic), ": ")
	if msg == "" {
		msg = strings.TrimPrefix(generic, "sqlite3: ")
	}
	if rest := serr.SQL(); rest != "" && code != "" && strings.HasSuffix(code, rest) {
		msg += fmt.Sprintf(" at offset %d", len(code)-len(rest))
	}
	msg += ": " + codeName(serr.Code())
	if ext, ok := extendedCodeNames[serr.ExtendedCode()]; ok {
		msg += " (extended: " + ext + ")"
	}
	return msg
}

func codeName(c sqlite3.ErrorCode) string {
	if name, ok := errorCodeNames[c]; ok {
		return name
	}
	return fmt.Sprintf("SQLITE_UNKNOWN_ERROR_CODE(%d)", int(c))
}

// size is the database size as workerd reports it: used pages times page size.
func (db *database) size() int64 {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return 0
	}
	res, err := db.execTrusted(`SELECT (SELECT * FROM pragma_page_count) - (SELECT * FROM pragma_freelist_count), (SELECT * FROM pragma_page_size)`)
	if err != nil || len(res.Rows) != 1 {
		return 0
	}
	pages, _ := res.Rows[0][0].(int64)
	pageSize, _ := res.Rows[0][1].(int64)
	return pages * pageSize
}
