package seed

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// progress draws a progress bar: redrawn in place on a terminal, one line per 10 % otherwise
// (logs, make output).
type progress struct {
	w         io.Writer
	total     int
	start     time.Time
	last      time.Time
	lastTenth int
	tty       bool
}

func newProgress(w io.Writer, total int) *progress {
	p := &progress{w: w, total: total, start: time.Now()}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

func (p *progress) line(done int) string {
	const width = 30
	frac := float64(done) / float64(max(p.total, 1))
	filled := int(frac * width)
	bar := strings.Repeat("=", filled)
	if filled < width {
		bar += ">" + strings.Repeat(" ", width-filled-1)
	}
	el := time.Since(p.start)
	rate := float64(done) / max(el.Seconds(), 1e-9)
	eta := "?"
	if rate > 0 && done < p.total {
		eta = time.Duration(float64(p.total-done) / rate * float64(time.Second)).Round(time.Second).String()
	} else if done >= p.total {
		eta = "0s"
	}
	return fmt.Sprintf("seeding [%s] %3.0f%% %d/%d orders, %.0f orders/s, elapsed %s, eta %s",
		bar, frac*100, done, p.total, rate, el.Round(time.Second), eta)
}

func (p *progress) set(done int) {
	if p.w == nil {
		return
	}
	if p.tty {
		if time.Since(p.last) < 200*time.Millisecond && done < p.total {
			return
		}
		p.last = time.Now()
		fmt.Fprint(p.w, "\r"+p.line(done))
		return
	}
	if tenth := done * 10 / max(p.total, 1); tenth > p.lastTenth {
		p.lastTenth = tenth
		fmt.Fprintln(p.w, p.line(done))
	}
}

func (p *progress) finish() {
	if p.w != nil && p.tty {
		fmt.Fprintln(p.w)
	}
}

func (p *progress) fail() {
	if p.w != nil && p.tty {
		fmt.Fprintln(p.w, " failed")
	}
}

// note reports a step after the rows are written (aggregates, indexes, statistics).
func (p *progress) note(msg string) {
	if p.w != nil {
		fmt.Fprintf(p.w, "seeding: %s (%s)\n", msg, time.Since(p.start).Round(time.Second))
	}
}
