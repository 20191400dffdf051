//go:build !production

package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"jobordre/internal/app"
	"jobordre/internal/seed"
	"jobordre/internal/store"
)

// seed writes synthetic data: it is a development and benchmarking tool, absent from the
// production binary so that nobody fills a real database with invented orders.
func init() { extraCommands = append(extraCommands, seedCommand) }

func seedCommand() *cobra.Command {
	var orders, batch int
	var seedValue uint64
	var until, span, dataDir string
	var appendRows bool
	cmd := &cobra.Command{
		Use:   "seed --orders N",
		Short: "Fill the database with a realistic synthetic data set (development, benchmarks)",
		Long: `Generate N synthetic job orders with their companies, history, candidates and referrals
directly into DATABASE_URL (PostgreSQL), or the dev SQLite file in JOBORDRE_DATA_DIR when it is
unset, and build their key-figure facts and aggregates from the same rows. The schema is migrated
first. Orders are spread over the 98 municipalities by population and created over --span up to
--until, mostly on working days in office hours; older orders are mostly closed. The same --seed
and --until give the same data. No workflow runs for these orders.

Everything personal is obviously synthetic. A database that already has job orders is refused
unless --append is given.`,
		Example: `  jobordre seed --orders 10000
  DATABASE_URL=postgres://jobordre:secret@localhost:5432/jobordre jobordre seed --orders 1000000 --seed 7 --until 2026-11-26`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, log, err := loadConfig()
			if err != nil {
				return err
			}
			applyFlags(cmd, map[string]func(){"data-dir": func() { cfg.DataDir = dataDir }})
			opts := seed.Options{Orders: orders, Seed: seedValue, BatchSize: batch, Append: appendRows, Progress: os.Stderr}
			if opts.Until, err = parseUntil(until); err != nil {
				return err
			}
			if opts.Span, err = parseSpan(span); err != nil {
				return err
			}
			db, err := app.OpenMigratedDatabase(cmd.Context(), cfg, log)
			if err != nil {
				return err
			}
			defer store.Close(db)
			// A one-shot bulk job: fewer, larger garbage collections make the generator faster.
			debug.SetGCPercent(400)
			st, err := seed.Run(cmd.Context(), db, opts)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "seeded %d orders (%d open, %d closed, %d filled) created %s – %s, %d companies, %d candidates, %d caseworkers, %d history entries, %d referrals in %s\n",
				st.Orders, st.Open, st.Closed, st.Filled, st.From.Format(time.DateOnly), st.Until.Format(time.DateOnly),
				st.Companies, st.Candidates, st.Caseworkers, st.Events, st.Referrals, st.Elapsed.Round(time.Millisecond))
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&orders, "orders", 0, "how many job orders to create (required)")
	f.Uint64Var(&seedValue, "seed", 1, "random seed: the same seed and --until give the same data")
	f.StringVar(&until, "until", "", "end of the span, YYYY-MM-DD (midnight UTC) or RFC 3339 (default now)")
	f.StringVar(&span, "span", "3y", "how far back orders are created: Ny (years of 365 days), Nd (days) or a Go duration")
	f.IntVar(&batch, "batch", seed.DefaultBatchSize, "orders per transaction")
	f.BoolVar(&appendRows, "append", false, "add to a database that already has job orders")
	f.StringVar(&dataDir, "data-dir", "./data", "dev data dir holding the SQLite file when DATABASE_URL is unset (env JOBORDRE_DATA_DIR)")
	_ = cmd.MarkFlagRequired("orders")
	return cmd
}

func parseUntil(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--until %q: want YYYY-MM-DD or RFC 3339", s)
	}
	return t, nil
}

func parseSpan(s string) (time.Duration, error) {
	unit := map[byte]time.Duration{'y': 365 * 24 * time.Hour, 'd': 24 * time.Hour}
	if n := len(s); n > 1 {
		if u, ok := unit[s[n-1]]; ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(s[:n-1]), 64)
			if err == nil && v > 0 {
				return time.Duration(v * float64(u)), nil
			}
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("--span %q: want e.g. 3y, 400d or 2000h", s)
	}
	return d, nil
}
