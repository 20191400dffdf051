package devstack

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"go.temporal.io/server/common/headers"
	sqliteschema "go.temporal.io/server/schema/sqlite"
)

const (
	// dbFileName is the SQLite database inside the data dir.
	dbFileName = "temporal.db"
	// stampFileName records which Temporal version created the data dir.
	stampFileName = "temporal.version"

	stampServerKey = "temporal-server"
	stampSchemaKey = "sqlite-schema"
)

// dataStamp identifies the Temporal server and SQLite schema a data dir was created with.
type dataStamp struct {
	server string
	schema string
}

// currentStamp is the stamp for the Temporal server compiled into this binary.
func currentStamp() dataStamp {
	return dataStamp{server: headers.ServerVersion, schema: sqliteschema.Version}
}

func (d dataStamp) String() string {
	return fmt.Sprintf("Temporal server %s, SQLite schema %s", d.server, d.schema)
}

func (d dataStamp) encode() []byte {
	return fmt.Appendf(nil,
		"# Written by jobordre dev when this data dir was created. Do not edit.\n"+
			"# Data dirs are not migrated between Temporal server versions.\n"+
			"%s=%s\n%s=%s\n",
		stampServerKey, d.server, stampSchemaKey, d.schema)
}

// readStamp parses <dir>/temporal.version; ok is false when the file does not exist.
func readStamp(dir string) (stamp dataStamp, ok bool, err error) {
	f, err := os.Open(filepath.Join(dir, stampFileName))
	if errors.Is(err, fs.ErrNotExist) {
		return dataStamp{}, false, nil
	}
	if err != nil {
		return dataStamp{}, false, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, _ := strings.Cut(line, "=")
		switch strings.TrimSpace(k) {
		case stampServerKey:
			stamp.server = strings.TrimSpace(v)
		case stampSchemaKey:
			stamp.schema = strings.TrimSpace(v)
		}
	}
	if err := sc.Err(); err != nil {
		return dataStamp{}, false, err
	}
	return stamp, true, nil
}

// writeStamp writes the stamp atomically (temp file + rename).
func writeStamp(dir string, stamp dataStamp) error {
	path := filepath.Join(dir, stampFileName)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, stamp.encode(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// checkDataDirVersion decides whether dir can be used by this binary. It
// returns fresh=true when the database does not exist yet (and must be
// created), and an error when the dir was created by a different Temporal
// server or schema version, or holds a database without a stamp.
func checkDataDirVersion(dir string) (fresh bool, err error) {
	want := currentStamp()
	dbPath := filepath.Join(dir, dbFileName)
	_, statErr := os.Stat(dbPath)
	dbExists := statErr == nil
	if statErr != nil && !errors.Is(statErr, fs.ErrNotExist) {
		return false, fmt.Errorf("check %s: %w", dbPath, statErr)
	}

	got, ok, err := readStamp(dir)
	if err != nil {
		return false, fmt.Errorf("read version stamp of data dir %s: %w", dir, err)
	}
	switch {
	case ok && got != want:
		return false, fmt.Errorf("data dir %s was created by %s but this binary embeds %s; "+
			"data dirs are not migrated between Temporal server versions: "+
			"move %s away (or delete it) and start again to get a fresh one",
			dir, describeStamp(got), want, dir)
	case !ok && dbExists:
		return false, fmt.Errorf("data dir %s holds %s but no %s, so the Temporal version that created it is unknown; "+
			"move %s away (or delete it) and start again to get a fresh one",
			dir, dbFileName, stampFileName, dir)
	}
	return !dbExists, nil
}

func describeStamp(s dataStamp) string {
	if s.server == "" && s.schema == "" {
		return "an unknown Temporal version (unreadable " + stampFileName + ")"
	}
	return s.String()
}
