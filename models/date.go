package models

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"
)

// DateLayout is the ISO 8601 calendar-date layout used on the wire and in the database.
const DateLayout = "2006-01-02"

// Date is a calendar date without time of day or zone; it is stored as YYYY-MM-DD text so it
// sorts correctly and means the same in PostgreSQL and SQLite.
type Date struct {
	time.Time
}

// ParseDate reads a YYYY-MM-DD date.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a date in the form YYYY-MM-DD", s)
	}
	return Date{t}, nil
}

// String formats the date as YYYY-MM-DD.
func (d Date) String() string { return d.Format(DateLayout) }

// MarshalJSON writes the date as a YYYY-MM-DD string.
func (d Date) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads a YYYY-MM-DD string.
func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a date must be a string in the form YYYY-MM-DD")
	}
	parsed, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = parsed
	return nil
}

// Value stores the date as text.
func (d Date) Value() (driver.Value, error) { return d.String(), nil }

// Scan reads the date from text or a time value.
func (d *Date) Scan(v any) error {
	switch x := v.(type) {
	case string:
		p, err := ParseDate(x)
		*d = p
		return err
	case []byte:
		p, err := ParseDate(string(x))
		*d = p
		return err
	case time.Time:
		*d = Date{time.Date(x.Year(), x.Month(), x.Day(), 0, 0, 0, 0, time.UTC)}
		return nil
	default:
		return fmt.Errorf("cannot scan %T into a date", v)
	}
}
