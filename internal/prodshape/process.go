//go:build !production

package prodshape

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Process is one OS process of a stack: a jobordre subcommand or the Temporal server. Its
// stderr and stdout go to a log file, which LogTail shows when something fails.
type Process struct {
	// Name says which process it is in tables and errors, e.g. "worker-1".
	Name string
	// Path, Args and Env are how it was started; Start starts it again the same way.
	Path string
	Args []string
	Env  []string
	// LogPath is the file its output is appended to.
	LogPath string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

// NewProcess describes a process without starting it.
func NewProcess(name, path string, args, env []string, logDir string) *Process {
	return &Process{Name: name, Path: path, Args: args, Env: env, LogPath: filepath.Join(logDir, name+".log")}
}

// Start starts the process (again, once it has ended). It dies with the test process: the
// kernel sends it SIGKILL when the thread that started it exits, so no stack outlives a crashed
// or timed-out test.
func (p *Process) Start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd != nil {
		select {
		case <-p.done:
		default:
			return fmt.Errorf("%s is still running (pid %d)", p.Name, p.cmd.Process.Pid)
		}
	}
	logf, err := os.OpenFile(p.LogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	fmt.Fprintf(logf, "=== %s start %s\n", p.Name, time.Now().Format(time.RFC3339Nano))
	cmd := exec.Command(p.Path, p.Args...)
	cmd.Env = p.Env
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("start %s: %w", p.Name, err)
	}
	done := make(chan struct{})
	p.cmd, p.done, p.err = cmd, done, nil
	go func() {
		err := cmd.Wait()
		logf.Close()
		p.mu.Lock()
		p.err = err
		p.mu.Unlock()
		close(done)
	}()
	return nil
}

// PID is the running process's ID, 0 when it is not running.
func (p *Process) PID() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil || p.exited() {
		return 0
	}
	return p.cmd.Process.Pid
}

// Running tells whether the process has been started and not ended.
func (p *Process) Running() bool { return p.PID() != 0 }

func (p *Process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Done is closed when the process has ended; nil before the first Start.
func (p *Process) Done() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.done
}

// Kill sends SIGKILL and waits until the process is gone: a crash, nothing gets to clean up.
func (p *Process) Kill() error { return p.signalAndWait(syscall.SIGKILL, 10*time.Second) }

// Stop sends SIGTERM (a graceful shutdown) and waits up to timeout, then kills it.
func (p *Process) Stop(timeout time.Duration) error {
	if err := p.signalAndWait(syscall.SIGTERM, timeout); err != nil {
		return p.Kill()
	}
	return nil
}

func (p *Process) signalAndWait(sig syscall.Signal, timeout time.Duration) error {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.mu.Unlock()
	if cmd == nil {
		return nil
	}
	select {
	case <-done:
		return nil
	default:
	}
	if err := cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	select {
	case <-done:
		return nil
	case <-time.After(timeout):
		return fmt.Errorf("%s did not end within %s of %s", p.Name, timeout, sig)
	}
}

// ExitError is how the last run ended (nil while running or after a clean exit).
func (p *Process) ExitError() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// LogTail returns the last n lines of the process's log.
func (p *Process) LogTail(n int) string {
	b, err := os.ReadFile(p.LogPath)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// ProcStat is what /proc says about a process: resident memory and CPU time used so far.
type ProcStat struct {
	RSS int64         // resident set size, bytes (VmRSS)
	CPU time.Duration // user + system time
}

// clockTick is USER_HZ, the unit of /proc/<pid>/stat's times (100 on every Linux platform Go supports).
const clockTick = 100

// ReadProcStat reads /proc/<pid>/status and /proc/<pid>/stat (Linux only).
func ReadProcStat(pid int) (ProcStat, error) {
	var st ProcStat
	status, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return st, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			st.RSS = kb * 1024
		}
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return st, err
	}
	// The command name (field 2) may hold spaces; the fields after its closing parenthesis are
	// state (3), ppid (4), … utime (14), stime (15).
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return st, fmt.Errorf("unreadable /proc/%d/stat", pid)
	}
	f := strings.Fields(string(stat[i+1:]))
	if len(f) < 13 {
		return st, fmt.Errorf("short /proc/%d/stat", pid)
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	st.CPU = time.Duration(utime+stime) * time.Second / clockTick
	return st, nil
}

// ReadTreeStat sums ReadProcStat over pid and every process below it (PostgreSQL's postmaster and
// its backends). Shared memory is counted once per process that touched it, so the sum
// overstates what the tree really holds; Pss would not, but RSS is what the goals name.
func ReadTreeStat(pid int) (ProcStat, int, error) {
	children := map[int][]int{}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return ProcStat{}, 0, err
	}
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		i := bytes.LastIndexByte(stat, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(stat[i+1:]))
		if len(f) < 2 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		children[ppid] = append(children[ppid], child)
	}
	var sum ProcStat
	n := 0
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		st, err := ReadProcStat(p)
		if err != nil {
			if p == pid {
				return sum, 0, err
			}
			continue
		}
		sum.RSS += st.RSS
		sum.CPU += st.CPU
		n++
		queue = append(queue, children[p]...)
	}
	return sum, n, nil
}

// ReadMachineCPU returns the machine's CPU time since boot from /proc/stat, summed over all
// cores: busy (every state but idle and iowait) and total.
func ReadMachineCPU() (busy, total time.Duration, err error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, err
	}
	return parseMachineCPU(string(b))
}

// parseMachineCPU reads the "cpu" line of /proc/stat: user nice system idle iowait irq softirq
// steal (guest time is already inside user and nice).
func parseMachineCPU(stat string) (busy, total time.Duration, err error) {
	line, _, _ := strings.Cut(stat, "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0, 0, fmt.Errorf("unreadable /proc/stat line %q", line)
	}
	var ticks [8]int64
	for i := range ticks {
		if ticks[i], err = strconv.ParseInt(f[i+1], 10, 64); err != nil {
			return 0, 0, fmt.Errorf("unreadable /proc/stat line %q: %w", line, err)
		}
	}
	var all int64
	for _, t := range ticks {
		all += t
	}
	idle := ticks[3] + ticks[4]
	return time.Duration(all-idle) * time.Second / clockTick, time.Duration(all) * time.Second / clockTick, nil
}
