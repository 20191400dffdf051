// Package pgtest gives tests a fresh, empty, real PostgreSQL database each.
//
// With TEST_DATABASE_URL set, databases are created on that server. Otherwise the
// first NewDatabase call starts a throwaway cluster (initdb + pg_ctl from the local
// PostgreSQL installation) shared by the whole test process; Main stops it.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
)

// envURL names the variable that points the tests at an existing server instead.
const envURL = "TEST_DATABASE_URL"

// installGlob is where Debian/Ubuntu packages put the server binaries, one directory per major version.
var installGlob = "/usr/lib/postgresql/*/bin"

const howToFix = `fix it with one of:
  apt-get install -y postgresql    (Debian/Ubuntu: only initdb/pg_ctl are used, the service need not run)
  export TEST_DATABASE_URL=postgres://user:pass@host:port/db?sslmode=disable    (a server where user may CREATE DATABASE)`

var (
	once     sync.Once
	adminDB  *sql.DB  // connection pool to the maintenance database, for CREATE/DROP DATABASE
	baseURL  *url.URL // URL of the maintenance database; the path is swapped per test database
	local    *cluster // the cluster started by this process, nil when TEST_DATABASE_URL is used
	setupErr error    // why the server is unusable; every NewDatabase reports it
	startLog string   // how the server was obtained, logged by the test that triggered it
)

// Main runs the tests of a package and stops the throwaway PostgreSQL it may have started.
// Use: func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
func Main(m *testing.M) int {
	defer shutdown()
	return m.Run()
}

// NewDatabase returns the URL (postgres://...?sslmode=disable) of a fresh empty database, dropped at t.Cleanup.
func NewDatabase(t testing.TB) string {
	t.Helper()
	first := false
	once.Do(func() { first = true; setupErr = setup() })
	if setupErr != nil {
		t.Fatalf("pgtest: %v", setupErr)
	}
	if first {
		t.Logf("pgtest: %s", startLog)
	}

	name := "jobordre_test_" + randomHex(8)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// template0 is pristine (whatever was added to template1 is not copied) and nobody can
	// connect to it, so parallel CREATE DATABASEs never fail with "source database is being accessed".
	if _, err := adminDB.ExecContext(ctx, "CREATE DATABASE "+name+" TEMPLATE template0"); err != nil {
		t.Fatalf("pgtest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		// FORCE disconnects sessions the test left open (PostgreSQL 13+).
		if _, err := adminDB.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})

	u := *baseURL
	u.Path = "/" + name
	u.RawPath = ""
	return u.String()
}

// ServerPID is the process ID of the throwaway cluster's postmaster (its parent process), for
// benchmarks that report the server's memory; 0 when TEST_DATABASE_URL is used or no database was
// created yet.
func ServerPID() int {
	if local == nil {
		return 0
	}
	b, err := os.ReadFile(filepath.Join(local.data(), "postmaster.pid"))
	if err != nil {
		return 0
	}
	first, _, _ := strings.Cut(string(b), "\n")
	pid, _ := strconv.Atoi(strings.TrimSpace(first))
	return pid
}

// setup connects to TEST_DATABASE_URL or starts a local cluster, and opens adminDB.
func setup() error {
	start := time.Now()
	raw := os.Getenv(envURL)
	if raw != "" {
		startLog = "using the server at " + envURL
	} else {
		c, err := startCluster()
		if err != nil {
			return err
		}
		local = c
		raw = c.url()
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return fmt.Errorf("%s is not a postgres:// URL (value not shown, it may hold a password);\n%s", envURL, howToFix)
	}
	if u.Query().Get("sslmode") == "" {
		q := u.Query()
		q.Set("sslmode", "disable")
		u.RawQuery = q.Encode()
	}
	baseURL = u

	db, err := sql.Open("pgx", u.String())
	if err != nil {
		return err
	}
	db.SetMaxOpenConns(4)
	if err := waitReady(db, 30*time.Second); err != nil {
		db.Close()
		if local != nil {
			return fmt.Errorf("started PostgreSQL does not accept connections: %v%s", err, local.logTail())
		}
		return fmt.Errorf("cannot connect to %s (%s): %v", envURL, u.Redacted(), err)
	}
	adminDB = db
	if local != nil {
		startLog = fmt.Sprintf("started PostgreSQL (%s) on 127.0.0.1:%d in %s", local.initdb, local.port, time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// waitReady pings db until it answers or the timeout passes.
func waitReady(db *sql.DB, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := db.PingContext(ctx)
		cancel()
		// A server that answers with an error (bad password, no such database) will not change its mind;
		// only "the database system is starting up" (57P03) is worth waiting for.
		var pgErr *pgconn.PgError
		if err == nil || time.Now().After(deadline) || (errors.As(err, &pgErr) && pgErr.Code != "57P03") {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// shutdown closes the admin pool and stops and removes the local cluster, if any.
func shutdown() {
	if adminDB != nil {
		adminDB.Close()
	}
	if local != nil {
		if err := local.stop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		}
		local = nil
	}
}

// cluster is a PostgreSQL cluster in a temporary directory, owned by this test process.
type cluster struct {
	dir           string // holds data/, log and the Unix socket
	initdb, pgctl string
	asUser        []string // command prefix running as user postgres when we are root, else empty
	port          int
	watchdog      *exec.Cmd
	watchdogPipe  *os.File // closing it (or our death) makes the watchdog stop the cluster
}

// startCluster runs initdb and pg_ctl start in a new temporary directory.
func startCluster() (*cluster, error) {
	initdb, pgctl, err := findBinaries()
	if err != nil {
		return nil, err
	}
	c := &cluster{initdb: initdb, pgctl: pgctl}

	var owner *user.User
	if os.Geteuid() == 0 {
		// initdb and postgres refuse to run as root.
		owner, err = user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root, so PostgreSQL must run as user postgres, but: %v (create it with `useradd --system postgres`, or %s)", err, strings.SplitN(howToFix, "\n", 2)[1])
		}
		runuser, err := exec.LookPath("runuser")
		if err != nil {
			return nil, fmt.Errorf("running as root needs runuser (util-linux) to run PostgreSQL as user postgres: %v", err)
		}
		c.asUser = []string{runuser, "-u", "postgres", "--"}
	}

	// Not t.TempDir: its parent is 0700 and user postgres could not reach it.
	c.dir, err = os.MkdirTemp("", "jobordre-pg-*")
	if err != nil {
		return nil, err
	}
	if owner != nil {
		uid, _ := strconv.Atoi(owner.Uid)
		gid, _ := strconv.Atoi(owner.Gid)
		if err := os.Chown(c.dir, uid, gid); err != nil {
			os.RemoveAll(c.dir)
			return nil, err
		}
	}
	if err := c.startWatchdog(); err != nil {
		os.RemoveAll(c.dir)
		return nil, err
	}
	if err := c.initAndStart(); err != nil {
		c.stop()
		return nil, err
	}
	return c, nil
}

func (c *cluster) initAndStart() error {
	out, err := c.run(c.initdb, "-D", c.data(), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C")
	if err != nil {
		hint := ""
		if c.asUser != nil {
			hint = fmt.Sprintf("\n(running as user postgres: %s must be reachable by it; check TMPDIR)", c.dir)
		}
		return fmt.Errorf("initdb failed: %v\n%s%s", err, out, hint)
	}
	// The port is free when we look but another process may take it before postgres binds; retry then.
	for attempt := 1; ; attempt++ {
		c.port, err = freePort()
		if err != nil {
			return err
		}
		opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=200", c.port, c.dir)
		out, err = c.run(c.pgctl, "-D", c.data(), "-o", opts, "-l", filepath.Join(c.dir, "log"), "-w", "start")
		if err == nil {
			return nil
		}
		tail := c.logTail()
		if attempt < 3 && strings.Contains(tail, "could not bind") {
			continue
		}
		return fmt.Errorf("pg_ctl start failed: %v\n%s%s", err, out, tail)
	}
}

// stop stops the cluster immediately (no clean shutdown needed, the data is thrown away) and removes its directory.
func (c *cluster) stop() error {
	var errs []error
	if _, err := os.Stat(filepath.Join(c.data(), "postmaster.pid")); err == nil {
		if out, err := c.run(c.pgctl, "-D", c.data(), "-m", "immediate", "-w", "stop"); err != nil {
			errs = append(errs, fmt.Errorf("pg_ctl stop: %v\n%s", err, out))
		}
	}
	if err := os.RemoveAll(c.dir); err != nil {
		errs = append(errs, err)
	}
	if c.watchdog != nil {
		c.watchdogPipe.Close()
		c.watchdog.Wait()
	}
	return errors.Join(errs...)
}

// startWatchdog starts a shell that stops the cluster and removes its directory once the
// pipe from this process closes. Main does that itself; the watchdog covers the cases Main
// cannot: a panicking or timed-out test, an interrupt, a package without pgtest.Main.
func (c *cluster) startWatchdog() error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	script := `d=$1; shift; read _; [ -f "$d/data/postmaster.pid" ] && "$@" -D "$d/data" -m immediate -w stop >/dev/null 2>&1; rm -rf "$d"`
	args := append([]string{"-c", script, "pgtest-watchdog", c.dir}, c.asUser...)
	args = append(args, c.pgctl)
	cmd := exec.Command("/bin/sh", args...)
	cmd.Stdin = r
	cmd.Dir = "/"
	// Own process group: a Ctrl-C aimed at `go test` must not kill the watchdog before it cleans up.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		w.Close()
		return fmt.Errorf("start watchdog: %v", err)
	}
	c.watchdog, c.watchdogPipe = cmd, w
	return nil
}

// run runs a PostgreSQL program, as user postgres when we are root, and returns its output.
func (c *cluster) run(prog string, args ...string) ([]byte, error) {
	argv := append(append(append([]string{}, c.asUser...), prog), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = c.dir // the test's working directory may be unreadable for user postgres
	return cmd.CombinedOutput()
}

func (c *cluster) data() string { return filepath.Join(c.dir, "data") }

func (c *cluster) url() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

// logTail returns the last lines of the server log, for error messages.
func (c *cluster) logTail() string {
	b, err := os.ReadFile(filepath.Join(c.dir, "log"))
	if err != nil || len(b) == 0 {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > 20 {
		lines = lines[len(lines)-20:]
	}
	return "\nserver log (" + filepath.Join(c.dir, "log") + "), last lines:\n" + strings.Join(lines, "\n")
}

// findBinaries finds initdb and pg_ctl on PATH, else in the highest version under installGlob.
func findBinaries() (initdb, pgctl string, err error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		// Prefer the pg_ctl of the same installation (PATH often has symlinks into it).
		if real, err := filepath.EvalSymlinks(p); err == nil {
			if q := filepath.Join(filepath.Dir(real), "pg_ctl"); isExecutable(q) {
				return p, q, nil
			}
		}
		if q, err := exec.LookPath("pg_ctl"); err == nil {
			return p, q, nil
		}
	}
	dirs, _ := filepath.Glob(installGlob)
	type candidate struct {
		dir     string
		version []int
	}
	var found []candidate
	for _, d := range dirs {
		v, ok := parseVersion(filepath.Base(filepath.Dir(d)))
		if ok && isExecutable(filepath.Join(d, "initdb")) && isExecutable(filepath.Join(d, "pg_ctl")) {
			found = append(found, candidate{d, v})
		}
	}
	if len(found) == 0 {
		return "", "", fmt.Errorf("no PostgreSQL to test against: %s is not set and initdb/pg_ctl are neither on PATH nor in %s;\n%s", envURL, installGlob, howToFix)
	}
	sort.Slice(found, func(i, j int) bool { return versionLess(found[j].version, found[i].version) })
	return filepath.Join(found[0].dir, "initdb"), filepath.Join(found[0].dir, "pg_ctl"), nil
}

// parseVersion parses "15" or "9.6" into its numbers.
func parseVersion(s string) ([]int, bool) {
	var v []int
	for _, part := range strings.Split(s, ".") {
		n, err := strconv.Atoi(part)
		if err != nil {
			return nil, false
		}
		v = append(v, n)
	}
	return v, true
}

func versionLess(a, b []int) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return len(a) < len(b)
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return hex.EncodeToString(b)
}
