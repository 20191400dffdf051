package pgtest

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"strings"
	"testing"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

// open connects to url and closes the pool when the test ends.
func open(t *testing.T, url string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestNewDatabaseGivesAnEmptyWritableDatabase(t *testing.T) {
	t.Parallel()
	u := NewDatabase(t)
	if !strings.HasPrefix(u, "postgres://") || !strings.Contains(u, "sslmode=disable") {
		t.Errorf("URL %q: want postgres://...?sslmode=disable", u)
	}
	db := open(t, u)
	ctx := context.Background()

	var tables int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'").Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 0 {
		t.Fatalf("new database has %d tables in public, want 0", tables)
	}
	if _, err := db.ExecContext(ctx, "CREATE TABLE job (id serial PRIMARY KEY, title text NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO job (title) VALUES ($1), ($2)", "smed", "tømrer"); err != nil {
		t.Fatal(err)
	}
	var got string
	if err := db.QueryRowContext(ctx, "SELECT string_agg(title, ',' ORDER BY id) FROM job").Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != "smed,tømrer" {
		t.Fatalf("got %q, want %q", got, "smed,tømrer")
	}
}

func TestDatabasesAreIsolated(t *testing.T) {
	t.Parallel()
	a, b := NewDatabase(t), NewDatabase(t)
	if a == b {
		t.Fatalf("two calls returned the same URL %q", a)
	}
	dbA, dbB := open(t, a), open(t, b)
	if _, err := dbA.Exec("CREATE TABLE only_in_a (x int)"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := dbB.QueryRow("SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_a'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatal("table created in the first database is visible in the second")
	}
	if _, err := dbB.Exec("SELECT * FROM only_in_a"); err == nil {
		t.Fatal("querying the first database's table from the second succeeded")
	}
}

func TestDatabaseIsDroppedAtCleanup(t *testing.T) {
	t.Parallel()
	var name string
	var leftOpen *sql.DB
	t.Run("uses a database", func(t *testing.T) {
		u := NewDatabase(t)
		parsed, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		name = strings.TrimPrefix(parsed.Path, "/")
		// Keep a session open past the cleanup: the drop must not be blocked by it.
		leftOpen, err = sql.Open("pgx", u)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := leftOpen.Exec("CREATE TABLE t (x int)"); err != nil {
			t.Fatal(err)
		}
	})
	defer leftOpen.Close()
	if !strings.HasPrefix(name, "jobordre_test_") {
		t.Fatalf("database name %q: want prefix jobordre_test_", name)
	}

	maintenance := open(t, baseURL.String()) // a connection of its own, not the package's pool
	var n int
	if err := maintenance.QueryRow("SELECT count(*) FROM pg_database WHERE datname = $1", name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("database %s still exists after the subtest's cleanup", name)
	}
}

func TestParallelTestsGetTheirOwnDatabases(t *testing.T) {
	for i := 0; i < 8; i++ {
		t.Run("", func(t *testing.T) {
			t.Parallel()
			if err := open(t, NewDatabase(t)).Ping(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestMissingBinariesSayHowToFix(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	old := installGlob
	installGlob = t.TempDir() + "/*/bin"
	t.Cleanup(func() { installGlob = old })

	_, _, err := findBinaries()
	if err == nil {
		t.Fatal("found binaries in an empty PATH")
	}
	for _, want := range []string{"apt-get install -y postgresql", "TEST_DATABASE_URL=postgres://user:pass@host:port/db?sslmode=disable"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestHighestInstalledVersionWins(t *testing.T) {
	root := t.TempDir()
	for _, v := range []string{"9.6", "15", "100", "notaversion"} {
		dir := root + "/" + v + "/bin"
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, prog := range []string{"initdb", "pg_ctl"} {
			if err := os.WriteFile(dir+"/"+prog, []byte("#!/bin/sh\n"), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Setenv("PATH", t.TempDir())
	old := installGlob
	installGlob = root + "/*/bin"
	t.Cleanup(func() { installGlob = old })

	initdb, pgctl, err := findBinaries()
	if err != nil {
		t.Fatal(err)
	}
	if initdb != root+"/100/bin/initdb" || pgctl != root+"/100/bin/pg_ctl" {
		t.Fatalf("got %s, %s; want version 100", initdb, pgctl)
	}
}
