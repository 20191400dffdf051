//go:build loadbench

package loadbench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"jobordre/internal/mail/mailtest"
	"jobordre/internal/pgtest"
	"jobordre/internal/prodshape"
)

func TestMain(m *testing.M) {
	prodshape.RunChild()
	os.Exit(pgtest.Main(m))
}

// TestLoadBenchmark is `make bench-load`: for each stack in LOAD_BENCH_SHAPES (dev, production)
// it starts the stack, runs every phase of Run and prints the table. Settings, from the
// environment (defaults in DefaultConfig):
//
//	LOAD_BENCH_SHAPES           dev,production
//	LOAD_BENCH_ORDERS           open orders for commands and the burst (10000)
//	LOAD_BENCH_OPEN_ORDERS      open orders of the dev stack's memory and fire-lag phase (100000; 0 skips it)
//	LOAD_BENCH_PRODUCTION_OPEN_ORDERS  the same for the production shape (0: the goal is the dev stack's)
//	LOAD_BENCH_REFERENCE_STARTS raw workflow starts of the reference (3000)
//	LOAD_BENCH_COMMAND_SECONDS  length of the command phase (60)
//	LOAD_BENCH_ARRIVAL_SECONDS  length of each steady-arrival phase (60)
//	LOAD_BENCH_COMMAND_RATE     commands per second, in the command phase and during the burst (50)
//	LOAD_BENCH_DEV_BINARY       jobordre built without -tags production (make builds bin/jobordre)
//	LOAD_BENCH_PROFILE_DIR      CPU profiles of every process during creation and burst (bin/loadbench)
//	LOAD_BENCH_REPORT           also write the tables to this file
func TestLoadBenchmark(t *testing.T) {
	cfg := DefaultConfig()
	intEnv(t, "LOAD_BENCH_ORDERS", &cfg.Orders)
	intEnv(t, "LOAD_BENCH_OPEN_ORDERS", &cfg.OpenOrders)
	intEnv(t, "LOAD_BENCH_REFERENCE_STARTS", &cfg.ReferenceStarts)
	secondsEnv(t, "LOAD_BENCH_COMMAND_SECONDS", &cfg.CommandDuration)
	secondsEnv(t, "LOAD_BENCH_ARRIVAL_SECONDS", &cfg.ArrivalDuration)
	var rate int
	intEnv(t, "LOAD_BENCH_COMMAND_RATE", &rate)
	if rate > 0 {
		cfg.CommandRate = float64(rate)
	}
	cfg.ProfileDir = os.Getenv("LOAD_BENCH_PROFILE_DIR")
	shapes := "dev,production"
	if v := os.Getenv("LOAD_BENCH_SHAPES"); v != "" {
		shapes = v
	}
	var out strings.Builder
	fmt.Fprintf(&out, "jobordre load benchmark, %s\n%s\n", time.Now().UTC().Format(time.RFC3339), machine())
	for _, shape := range strings.Split(shapes, ",") {
		t.Run(shape, func(t *testing.T) {
			tally := mailtest.NewTally(t)
			var s *Stack
			cfg := cfg
			switch shape {
			case "dev":
				s = StartDev(t, devBinary(t), tally, nil)
			case "production":
				// The 100,000 open orders are a goal for one dev stack; the production
				// shape runs the phase only when asked to.
				cfg.OpenOrders = 0
				intEnv(t, "LOAD_BENCH_PRODUCTION_OPEN_ORDERS", &cfg.OpenOrders)
				s = StartProduction(t, tally, nil)
			default:
				t.Fatalf("LOAD_BENCH_SHAPES: unknown stack %q (dev, production)", shape)
			}
			rep, err := Run(context.Background(), s, tally, cfg, t.Logf)
			if rep != nil {
				rep.Note("stand-in: %d mail send requests, %d e-mails delivered more than once", tally.Requests(), len(tally.Duplicates()))
				rep.Note("load average at the end: %s", loadAverage())
				rep.Print(&out)
				rep.Print(os.Stdout)
			}
			if err != nil {
				for _, p := range s.Processes {
					t.Logf("--- %s log\n%s", p.Name, p.LogTail(40))
				}
				t.Fatal(err)
			}
		})
	}
	if path := os.Getenv("LOAD_BENCH_REPORT"); path != "" {
		if err := os.WriteFile(path, []byte(out.String()), 0o644); err != nil {
			t.Error(err)
		}
	}
}

func intEnv(t *testing.T, key string, dst *int) {
	if v := os.Getenv(key); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			t.Fatalf("%s: %q is not a whole number", key, v)
		}
		*dst = n
	}
}

func secondsEnv(t *testing.T, key string, dst *time.Duration) {
	var n int
	intEnv(t, key, &n)
	if n > 0 {
		*dst = time.Duration(n) * time.Second
	}
}

// devBinary is LOAD_BENCH_DEV_BINARY, or bin/jobordre built now.
func devBinary(t *testing.T) string {
	if p := os.Getenv("LOAD_BENCH_DEV_BINARY"); p != "" {
		return p
	}
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Dir(strings.TrimSpace(string(out)))
	bin := filepath.Join(root, "bin", "jobordre")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/jobordre")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build jobordre: %v\n%s", err, b)
	}
	return bin
}

// machine describes where the benchmark ran.
func machine() string {
	model := ""
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "model name"); ok {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		mem = strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0])
	}
	return fmt.Sprintf("machine: %d CPUs (%s), %s, %s; load average at the start: %s", runtime.NumCPU(), model, mem, runtime.Version(), loadAverage())
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
