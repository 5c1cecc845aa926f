package sqlstore

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// TimeFormat is how a [time.Time] argument is stored: TEXT, in UTC, with a
// fixed nine-digit fraction so that stored times sort and compare as text in
// time order, in the form SQLite's date and time functions read.
const TimeFormat = "2006-01-02 15:04:05.000000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(TimeFormat) }

// timeLayouts are the TEXT forms [Time] reads: TimeFormat, RFC 3339, and
// what SQLite's datetime() and date() return (in UTC).
var timeLayouts = []string{TimeFormat, time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02"}

// Time scans a time stored as TEXT (by this package, or by SQLite's
// datetime(), date() or strftime('%Y-%m-%dT%H:%M:%fZ')) or as an INTEGER of
// Unix seconds (unixepoch()). database/sql cannot scan TEXT into a
// [time.Time] itself, and this driver does not guess which text is a time:
// scan into a *Time, or a **Time for a nullable column.
type Time struct{ time.Time }

// Scan implements [database/sql.Scanner].
func (t *Time) Scan(src any) error {
	switch v := src.(type) {
	case string:
		for _, layout := range timeLayouts {
			if parsed, err := time.Parse(layout, v); err == nil {
				t.Time = parsed
				return nil
			}
		}
		return fmt.Errorf("sqlstore: cannot read %q as a time; store times as time.Time arguments or with datetime()", v)
	case int64:
		t.Time = time.Unix(v, 0).UTC()
		return nil
	case time.Time:
		t.Time = v
		return nil
	case nil:
		return fmt.Errorf("sqlstore: cannot scan NULL into a Time; scan into a **sqlstore.Time")
	}
	return fmt.Errorf("sqlstore: cannot scan %T into a Time", src)
}

// Value implements [database/sql/driver.Valuer], storing t as a time.Time
// argument is stored.
func (t Time) Value() (driver.Value, error) { return formatTime(t.Time), nil }
