package durabletest

import (
	"strconv"
	"strings"

	"github.com/ncruces/go-sqlite3"
)

// The SQL rules below mirror the authorizer workerd installs on every Durable
// Object database (SqliteDatabase::isAuthorized in src/workerd/util/sqlite.c++ and
// SqlStorage in src/workerd/api/sql.c++): the same statements are refused, for the
// same reasons, with the same messages.

// transactionMessage is workerd's message for BEGIN, COMMIT, ROLLBACK, SAVEPOINT
// and RELEASE.
const transactionMessage = "To execute a transaction, please use the state.storage.transaction() or " +
	"state.storage.transactionSync() APIs instead of the SQL BEGIN TRANSACTION or SAVEPOINT " +
	"statements. The JavaScript API is safer because it will automatically roll back on " +
	"exceptions, and because it interacts correctly with Durable Objects' automatic atomic " +
	"write coalescing."

// allowedName reports whether user SQL may touch a table, index, trigger or view
// of that name: names starting with "_cf_" (case-sensitive) belong to the runtime.
func allowedName(name string) bool { return !strings.HasPrefix(name, "_cf_") }

// allowedFunctions are the SQL functions workerd lets user SQL call.
var allowedFunctions = setOf(
	// core functions
	"abs", "changes", "char", "coalesce", "concat", "concat_ws", "format", "glob", "hex",
	"ifnull", "iif", "instr", "last_insert_rowid", "length", "like", "likelihood", "likely",
	"load_extension", "lower", "ltrim", "max_scalar", "min_scalar", "nullif", "octet_length",
	"printf", "quote", "random", "randomblob", "replace", "round", "rtrim", "sign", "soundex",
	"substr", "substring", "total_changes", "trim", "typeof", "unhex", "unicode", "unlikely",
	"upper", "zeroblob",
	// date and time
	"date", "time", "datetime", "julianday", "unixepoch", "strftime", "timediff",
	"current_date", "current_time", "current_timestamp",
	// aggregates
	"avg", "count", "group_concat", "max", "min", "string_agg", "sum", "total",
	// window functions
	"row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead",
	"first_value", "last_value", "nth_value",
	// math
	"acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "ceil", "cos", "cosh",
	"degrees", "exp", "floor", "ln", "log", "log2", "mod", "pi", "pow", "radians", "sin",
	"sinh", "sqrt", "tan", "tanh", "trunc",
	// JSON
	"json", "json_array", "json_array_length", "json_extract", "->", "->>", "json_insert",
	"json_object", "json_patch", "json_remove", "json_replace", "json_set", "json_type",
	"json_valid", "json_quote", "json_group_array", "json_group_object", "json_each",
	"json_tree",
	// full-text search
	"match", "highlight", "bm25", "snippet",
	// used internally by ALTER TABLE
	"sqlite_rename_column", "sqlite_rename_table", "sqlite_rename_test", "sqlite_drop_column",
	"sqlite_rename_quotefix",
)

type pragmaSignature int

const (
	pragmaNoArg pragmaSignature = iota
	pragmaBoolean
	pragmaObjectName
	pragmaOptionalObjectName
	pragmaNullOrNumber
	pragmaNullNumberOrObjectName
)

// allowedPragmas are the pragmas workerd allows besides table_list, table_info and
// table_xinfo. Names are matched case-sensitively, as workerd does.
var allowedPragmas = map[string]pragmaSignature{
	"data_version":              pragmaNoArg,
	"case_sensitive_like":       pragmaBoolean,
	"foreign_keys":              pragmaBoolean,
	"defer_foreign_keys":        pragmaBoolean,
	"ignore_check_constraints":  pragmaBoolean,
	"legacy_alter_table":        pragmaBoolean,
	"recursive_triggers":        pragmaBoolean,
	"reverse_unordered_selects": pragmaBoolean,
	"foreign_key_check":         pragmaOptionalObjectName,
	"foreign_key_list":          pragmaObjectName,
	"index_info":                pragmaObjectName,
	"index_list":                pragmaObjectName,
	"index_xinfo":               pragmaObjectName,
	"quick_check":               pragmaNullNumberOrObjectName,
	"optimize":                  pragmaNullOrNumber,
}

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// authorize is the SQLite authorizer callback. SQLite passes NULL arguments as "".
func (db *database) authorize(action sqlite3.AuthorizerActionCode, p1, p2, dbName, _ string) sqlite3.AuthorizerReturnCode {
	if db.allow(action, p1, p2, dbName) {
		return sqlite3.AUTH_OK
	}
	return sqlite3.AUTH_DENY
}

func (db *database) allow(action sqlite3.AuthorizerActionCode, p1, p2, dbName string) bool {
	// SQLite passes the database name first for these two; workerd swaps it back.
	if action == sqlite3.AUTH_ALTER_TABLE || action == sqlite3.AUTH_DETACH {
		p1, p2, dbName = p2, dbName, p1
	}
	switch dbName {
	case "", "main":
	case "temp":
		return (action == sqlite3.AUTH_READ || action == sqlite3.AUTH_UPDATE) && allowedName(p1)
	default:
		return false
	}
	if db.trusted {
		return true
	}

	switch action {
	case sqlite3.AUTH_SELECT, sqlite3.AUTH_RECURSIVE, sqlite3.AUTH_ANALYZE:
		return true
	case sqlite3.AUTH_CREATE_TABLE, sqlite3.AUTH_DELETE, sqlite3.AUTH_DROP_TABLE, sqlite3.AUTH_INSERT,
		sqlite3.AUTH_CREATE_VIEW, sqlite3.AUTH_DROP_VIEW, sqlite3.AUTH_REINDEX,
		sqlite3.AUTH_ALTER_TABLE, sqlite3.AUTH_READ, sqlite3.AUTH_UPDATE:
		return allowedName(p1)
	case sqlite3.AUTH_CREATE_INDEX, sqlite3.AUTH_DROP_INDEX, sqlite3.AUTH_CREATE_TRIGGER, sqlite3.AUTH_DROP_TRIGGER:
		return allowedName(p1) && allowedName(p2)
	case sqlite3.AUTH_TRANSACTION, sqlite3.AUTH_SAVEPOINT:
		db.authMessage = transactionMessage
		return false
	case sqlite3.AUTH_PRAGMA:
		return allowPragma(p1, p2)
	case sqlite3.AUTH_FUNCTION:
		return allowedFunctions[p2]
	case sqlite3.AUTH_CREATE_VTABLE, sqlite3.AUTH_DROP_VTABLE:
		return strings.EqualFold(p2, "fts5") || strings.EqualFold(p2, "fts5vocab")
	}
	// ATTACH, DETACH, temporary objects and anything unknown.
	return false
}

func allowPragma(name, arg string) bool {
	switch name {
	case "table_list":
		return true
	case "table_info", "table_xinfo":
		return arg != "" && allowedName(arg)
	}
	sig, ok := allowedPragmas[name]
	if !ok {
		return false
	}
	switch sig {
	case pragmaNoArg:
		return arg == ""
	case pragmaBoolean:
		if arg == "" {
			return true
		}
		if len(arg) >= 2 && (arg[0] == '\'' || arg[0] == '"') && arg[len(arg)-1] == arg[0] {
			arg = arg[1 : len(arg)-1]
		}
		// workerd compares prefixes, case-insensitively (strncasecmp).
		for _, word := range []string{"true", "false", "yes", "no", "on", "off", "1", "0"} {
			if len(arg) >= len(word) && strings.EqualFold(arg[:len(word)], word) {
				return true
			}
		}
		return false
	case pragmaObjectName:
		return arg != "" && allowedName(arg)
	case pragmaOptionalObjectName:
		return arg == "" || allowedName(arg)
	case pragmaNullOrNumber:
		if arg == "" {
			return true
		}
		_, err := strconv.ParseInt(arg, 10, 32)
		return err == nil
	case pragmaNullNumberOrObjectName:
		if arg == "" {
			return true
		}
		if _, err := strconv.ParseUint(arg, 10, 32); err == nil {
			return true
		}
		return allowedName(arg)
	}
	return false
}

// limits are the SQLite limits workerd sets on every Durable Object database.
var limits = []struct {
	id    sqlite3.LimitCategory
	value int
}{
	{sqlite3.LIMIT_LENGTH, 2200000},
	{sqlite3.LIMIT_SQL_LENGTH, 100000},
	{sqlite3.LIMIT_COLUMN, 100},
	{sqlite3.LIMIT_EXPR_DEPTH, 100},
	{sqlite3.LIMIT_COMPOUND_SELECT, 5},
	{sqlite3.LIMIT_VDBE_OP, 25000},
	{sqlite3.LIMIT_FUNCTION_ARG, 127},
	{sqlite3.LIMIT_ATTACHED, 0},
	{sqlite3.LIMIT_LIKE_PATTERN_LENGTH, 50},
	{sqlite3.LIMIT_VARIABLE_NUMBER, 100},
	{sqlite3.LIMIT_TRIGGER_DEPTH, 10},
	{sqlite3.LIMIT_WORKER_THREADS, 0},
}

// errorCodeNames are SQLite's primary result codes by name, as workerd appends
// them to error messages.
var errorCodeNames = map[sqlite3.ErrorCode]string{
	sqlite3.ERROR: "SQLITE_ERROR", sqlite3.INTERNAL: "SQLITE_INTERNAL", sqlite3.PERM: "SQLITE_PERM",
	sqlite3.ABORT: "SQLITE_ABORT", sqlite3.BUSY: "SQLITE_BUSY", sqlite3.LOCKED: "SQLITE_LOCKED",
	sqlite3.NOMEM: "SQLITE_NOMEM", sqlite3.READONLY: "SQLITE_READONLY", sqlite3.INTERRUPT: "SQLITE_INTERRUPT",
	sqlite3.IOERR: "SQLITE_IOERR", sqlite3.CORRUPT: "SQLITE_CORRUPT", sqlite3.NOTFOUND: "SQLITE_NOTFOUND",
	sqlite3.FULL: "SQLITE_FULL", sqlite3.CANTOPEN: "SQLITE_CANTOPEN", sqlite3.PROTOCOL: "SQLITE_PROTOCOL",
	sqlite3.EMPTY: "SQLITE_EMPTY", sqlite3.SCHEMA: "SQLITE_SCHEMA", sqlite3.TOOBIG: "SQLITE_TOOBIG",
	sqlite3.CONSTRAINT: "SQLITE_CONSTRAINT", sqlite3.MISMATCH: "SQLITE_MISMATCH", sqlite3.MISUSE: "SQLITE_MISUSE",
	sqlite3.NOLFS: "SQLITE_NOLFS", sqlite3.AUTH: "SQLITE_AUTH", sqlite3.FORMAT: "SQLITE_FORMAT",
	sqlite3.RANGE: "SQLITE_RANGE", sqlite3.NOTADB: "SQLITE_NOTADB", sqlite3.NOTICE: "SQLITE_NOTICE",
	sqlite3.WARNING: "SQLITE_WARNING",
}

// extendedCodeNames are the extended result codes workerd names after the
// primary code, as in "SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_UNIQUE)".
var extendedCodeNames = map[sqlite3.ExtendedErrorCode]string{
	sqlite3.CONSTRAINT_CHECK: "SQLITE_CONSTRAINT_CHECK", sqlite3.CONSTRAINT_COMMITHOOK: "SQLITE_CONSTRAINT_COMMITHOOK",
	sqlite3.CONSTRAINT_FOREIGNKEY: "SQLITE_CONSTRAINT_FOREIGNKEY", sqlite3.CONSTRAINT_FUNCTION: "SQLITE_CONSTRAINT_FUNCTION",
	sqlite3.CONSTRAINT_NOTNULL: "SQLITE_CONSTRAINT_NOTNULL", sqlite3.CONSTRAINT_PRIMARYKEY: "SQLITE_CONSTRAINT_PRIMARYKEY",
	sqlite3.CONSTRAINT_TRIGGER: "SQLITE_CONSTRAINT_TRIGGER", sqlite3.CONSTRAINT_UNIQUE: "SQLITE_CONSTRAINT_UNIQUE",
	sqlite3.CONSTRAINT_VTAB: "SQLITE_CONSTRAINT_VTAB", sqlite3.CONSTRAINT_ROWID: "SQLITE_CONSTRAINT_ROWID",
	sqlite3.CONSTRAINT_PINNED: "SQLITE_CONSTRAINT_PINNED", sqlite3.CONSTRAINT_DATATYPE: "SQLITE_CONSTRAINT_DATATYPE",
}
