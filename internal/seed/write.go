package seed

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"reflect"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"jobordre/models"
)

// table is a model's table and the columns the seeder writes: every column of the model except
// an auto-increment primary key, which the database numbers.
type table struct {
	name   string
	cols   []string
	fields []*schema.Field
}

func tableOf(db *gorm.DB, model any) (*table, error) {
	stmt := &gorm.Statement{DB: db}
	if err := stmt.Parse(model); err != nil {
		return nil, fmt.Errorf("parse %T: %w", model, err)
	}
	t := &table{name: stmt.Schema.Table}
	for _, f := range stmt.Schema.Fields {
		if f.DBName == "" || (f.PrimaryKey && f.AutoIncrement) {
			continue
		}
		t.cols = append(t.cols, f.DBName)
		t.fields = append(t.fields, f)
	}
	return t, nil
}

// values reads one row's column values into out: pointers are dereferenced (nil is NULL) and
// driver values (models.Date) are converted, so COPY and INSERT see plain values.
func (t *table) values(ctx context.Context, rv reflect.Value, out []any) error {
	for i, f := range t.fields {
		v, _ := f.ValueOf(ctx, rv)
		x := reflect.ValueOf(v)
		if x.Kind() == reflect.Pointer && x.IsNil() {
			out[i] = nil
			continue
		}
		if val, ok := v.(driver.Valuer); ok {
			dv, err := val.Value()
			if err != nil {
				return fmt.Errorf("%s.%s: %w", t.name, t.cols[i], err)
			}
			out[i] = dv
			continue
		}
		if x.Kind() == reflect.Pointer {
			v = x.Elem().Interface()
		}
		out[i] = v
	}
	return nil
}

// tables are the seeded models' tables, in the order a batch writes them.
type tables struct {
	companies, candidates, occupations, orders, events, referrals, facts *table
}

func newTables(db *gorm.DB) (*tables, error) {
	var t tables
	var err error
	for _, x := range []struct {
		dst   **table
		model any
	}{{&t.companies, &models.Company{}}, {&t.candidates, &models.Candidate{}}, {&t.occupations, &models.CandidateOccupation{}}, {&t.orders, &models.JobOrder{}},
		{&t.events, &models.JobOrderEvent{}}, {&t.referrals, &models.Referral{}}, {&t.facts, &models.JobOrderFact{}}} {
		if *x.dst, err = tableOf(db, x.model); err != nil {
			return nil, err
		}
	}
	return &t, nil
}

func (t *tables) names() []string {
	return []string{t.companies.name, t.candidates.name, t.occupations.name, t.orders.name, t.events.name, t.referrals.name, t.facts.name}
}

// rowWriter writes rows of one table inside the open transaction.
type rowWriter func(t *table, n int, row func(i int, out []any) error) error

// writeSources writes a batch's source rows (and its facts when withFacts). None of them go
// through GORM's create callbacks, so the key-figure callback, which refreshes an order's fact
// for every history entry created, never runs: the caller loads the facts built from the same
// rows instead.
func writeSources(ctx context.Context, w rowWriter, t *tables, b *Batch, withFacts bool) error {
	parts := []struct {
		t     *table
		items any
	}{{t.companies, b.Companies}, {t.candidates, b.Candidates}, {t.occupations, b.CandidateOccupations}, {t.orders, b.Orders}, {t.events, b.Events}, {t.referrals, b.Referrals}}
	if withFacts {
		parts = append(parts, struct {
			t     *table
			items any
		}{t.facts, b.Facts})
	}
	for _, p := range parts {
		s := reflect.ValueOf(p.items)
		if s.Len() == 0 {
			continue
		}
		tb := p.t
		if err := w(tb, s.Len(), func(i int, out []any) error { return tb.values(ctx, s.Index(i), out) }); err != nil {
			return fmt.Errorf("write %s: %w", tb.name, err)
		}
	}
	return nil
}

// copyWriter streams rows with PostgreSQL's COPY on the connection that holds the open
// transaction (pgx under database/sql), so they commit or roll back with it.
func copyWriter(ctx context.Context, conn *sql.Conn) rowWriter {
	return func(t *table, n int, row func(int, []any) error) error {
		return conn.Raw(func(dc any) error {
			sc, ok := dc.(*stdlib.Conn)
			if !ok {
				return fmt.Errorf("COPY needs the pgx driver, the connection is a %T", dc)
			}
			buf := make([]any, len(t.cols)) // COPY encodes each row before asking for the next
			copied, err := sc.Conn().CopyFrom(ctx, pgx.Identifier{t.name}, t.cols, pgx.CopyFromSlice(n, func(i int) ([]any, error) {
				return buf, row(i, buf)
			}))
			if err == nil && copied != int64(n) {
				err = fmt.Errorf("copied %d of %d rows", copied, n)
			}
			return err
		})
	}
}

// maxBindParams keeps each INSERT under SQLite's default limit of 32766 variables (PostgreSQL
// allows 65535, and uses COPY anyway).
const maxBindParams = 32766

// insertWriter writes rows with multi-row INSERTs of at most maxBindParams parameters. Raw SQL
// through tx.Exec does not run GORM's create callbacks.
func insertWriter(tx *gorm.DB) rowWriter {
	return func(t *table, n int, row func(int, []any) error) error {
		per := max(1, maxBindParams/len(t.cols))
		quoted := make([]string, len(t.cols))
		for i, c := range t.cols {
			quoted[i] = `"` + c + `"`
		}
		one := "(" + strings.TrimSuffix(strings.Repeat("?,", len(t.cols)), ",") + ")"
		for start := 0; start < n; start += per {
			end := min(start+per, n)
			var sb strings.Builder
			sb.WriteString(`INSERT INTO "` + t.name + `" (` + strings.Join(quoted, ",") + ") VALUES ")
			args := make([]any, (end-start)*len(t.cols))
			for i := start; i < end; i++ {
				if i > start {
					sb.WriteByte(',')
				}
				sb.WriteString(one)
				if err := row(i, args[(i-start)*len(t.cols):(i-start+1)*len(t.cols)]); err != nil {
					return err
				}
			}
			if err := tx.Exec(sb.String(), args...).Error; err != nil {
				return err
			}
		}
		return nil
	}
}

// secondaryIndex is an index that is neither a primary key nor backs a constraint.
type secondaryIndex struct{ Name, Def string }

// dropSecondaryIndexes drops the tables' secondary indexes and returns their definitions: a bulk
// load into a table without them, then one index build each, is several times faster than
// keeping them up to date row by row. DDL is transactional in PostgreSQL: the indexes come back
// (rebuilt by createIndexes, or by the rollback) before anyone else sees the tables.
func dropSecondaryIndexes(tx *gorm.DB, tableNames []string) ([]secondaryIndex, error) {
	var idx []secondaryIndex
	if err := tx.Raw(`SELECT quote_ident(ic.relname) AS name, pg_get_indexdef(i.indexrelid) AS def
		FROM pg_index i
		JOIN pg_class ic ON ic.oid = i.indexrelid
		JOIN pg_class t ON t.oid = i.indrelid
		WHERE t.relnamespace = current_schema()::regnamespace AND t.relname IN ?
		  AND NOT i.indisprimary AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
		ORDER BY t.relname, ic.relname`, tableNames).Scan(&idx).Error; err != nil {
		return nil, fmt.Errorf("list indexes: %w", err)
	}
	for _, i := range idx {
		if err := tx.Exec("DROP INDEX " + i.Name).Error; err != nil {
			return nil, fmt.Errorf("drop index %s: %w", i.Name, err)
		}
	}
	return idx, nil
}

func createIndexes(tx *gorm.DB, idx []secondaryIndex) error {
	for _, i := range idx {
		if err := tx.Exec(i.Def).Error; err != nil {
			return fmt.Errorf("rebuild index %s: %w", i.Name, err)
		}
	}
	return nil
}
