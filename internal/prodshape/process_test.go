package prodshape

import (
	"testing"
	"time"
)

func TestMachineCPUCountsEveryStateButIdleAndIOWaitAsBusy(t *testing.T) {
	// user nice system idle iowait irq softirq steal guest guest_nice
	busy, total, err := parseMachineCPU("cpu  1000 10 300 500 40 0 50 100 7 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n")
	if err != nil {
		t.Fatal(err)
	}
	if want := 14600 * time.Millisecond; busy != want { // (1000+10+300+0+50+100) ticks of 10 ms
		t.Errorf("busy = %s, want %s", busy, want)
	}
	if want := 20000 * time.Millisecond; total != want {
		t.Errorf("total = %s, want %s", total, want)
	}
}

func TestMachineCPURefusesAnotherFirstLine(t *testing.T) {
	for _, stat := range []string{"", "intr 1 2 3", "cpu 1 2 3", "cpu a b c d e f g h"} {
		if _, _, err := parseMachineCPU(stat); err == nil {
			t.Errorf("parseMachineCPU(%q): no error", stat)
		}
	}
}

func TestReadMachineCPUReadsThisMachine(t *testing.T) {
	busy, total, err := ReadMachineCPU()
	if err != nil {
		t.Fatal(err)
	}
	if total <= 0 || busy < 0 || busy > total {
		t.Errorf("busy %s of total %s", busy, total)
	}
}
