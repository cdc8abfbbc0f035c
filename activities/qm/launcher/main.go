// cascade-launcher: starts QM codes for a cascade worker and reports how they ended.
//
// A long-lived helper, so that the worker (a large Node process) never forks itself: Go starts a child with
// clone(CLONE_VFORK), which costs the same however large the parent is, and reads the child's CPU time and peak
// memory from wait4 (the code and every descendant it waited for), which GNU time was there for.
//
// Protocol: one JSON object per line. On stdin, requests:
//
//	{"id":1,"path":"/usr/bin/xtb","argv":["/usr/bin/xtb","input.xyz"],"dir":"/work/ab12","env":["K=V"],
//	 "stdout":"/work/ab12/.cascade-stdout","stderr":"/work/ab12/.cascade-stderr"}
//
// On stdout, for each request, either {"id":1,"pid":1234} once the code runs and later
// {"id":1,"exit":{"code":0,"signal":0,"wallNs":..,"userUs":..,"sysUs":..,"maxRssKb":..}} when it has ended
// (code -1 and the signal's number when a signal ended it), or {"id":1,"error":"...","errno":"ENOENT"}
// when it could not be started. No shell is involved; stdin is /dev/null; stdout and stderr go to the files
// (stderr through a pipe: the end is reported once every process holding it is gone, as when the worker read
// the output itself).
//
// Each code leads a new session and process group (setsid), so the worker can signal the whole tree. When
// stdin closes (the worker exited, or was killed) or the helper gets SIGTERM/SIGINT/SIGHUP, every group still
// running gets SIGTERM, then SIGKILL after a grace period, and the helper exits.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"syscall"
	"time"
)

const (
	// killGrace matches the worker's own grace period between SIGTERM and SIGKILL.
	killGrace = 2 * time.Second
	// outputGrace: how long a code's end waits for the end of its output once the code itself has exited.
	outputGrace = 10 * time.Second
)

type request struct {
	ID     int64    `json:"id"`
	Path   string   `json:"path"`
	Argv   []string `json:"argv"`
	Dir    string   `json:"dir"`
	Env    []string `json:"env"`
	Stdout string   `json:"stdout"`
	Stderr string   `json:"stderr"`
}

type exit struct {
	Code     int   `json:"code"`
	Signal   int   `json:"signal"`
	WallNs   int64 `json:"wallNs"`
	UserUs   int64 `json:"userUs"`
	SysUs    int64 `json:"sysUs"`
	MaxRssKb int64 `json:"maxRssKb"`
}

type reply struct {
	ID    int64  `json:"id"`
	Pid   int    `json:"pid,omitempty"`
	Exit  *exit  `json:"exit,omitempty"`
	Error string `json:"error,omitempty"`
	Errno string `json:"errno,omitempty"`
}

// A started code, until it is reaped.
type child struct {
	id    int64
	began time.Time
	// The copy of its stderr into its file: done once every process holding it has exited or closed it, the
	// code's descendants included.
	output *sync.WaitGroup
}

var (
	out   = json.NewEncoder(os.Stdout)
	outMu sync.Mutex
	// Codes started and not reaped yet, by pid (= process group). Held while starting a code, so the reaper
	// never sees a pid before it is known here, nor reports an end before the start.
	children   = map[int]child{}
	childrenMu sync.Mutex
	allReaped  = sync.NewCond(&childrenMu)
)

func send(r reply) {
	outMu.Lock()
	defer outMu.Unlock()
	_ = out.Encode(r) // the worker is gone if this fails; stdin will close too
}

func errnoName(err error) string {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return ""
	}
	switch errno {
	case syscall.ENOENT:
		return "ENOENT"
	case syscall.EACCES:
		return "EACCES"
	case syscall.ENOEXEC:
		return "ENOEXEC"
	case syscall.ENOTDIR:
		return "ENOTDIR"
	}
	return "E" + errno.Error()
}

func start(req request, devNull *os.File) {
	fail := func(err error) { send(reply{ID: req.ID, Error: err.Error(), Errno: errnoName(err)}) }
	var files []*os.File // closed on the way out, but for those a copy goroutine takes over
	defer func() {
		for _, f := range files {
			_ = f.Close()
		}
	}()
	open := func(path string) (*os.File, error) {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
		if err == nil {
			files = append(files, f)
		}
		return f, err
	}
	stdoutFile, err := open(req.Stdout)
	if err != nil {
		fail(err)
		return
	}
	stderrFile, err := open(req.Stderr)
	if err != nil {
		fail(err)
		return
	}
	// stderr goes through a pipe copied into its file, so that the code's end can wait for the end of its
	// output: a descendant outside its process group (MPI's orted starts a session of its own) that still
	// holds it is still running. stdout, where codes print most, goes straight to its file: copying it costs
	// a wake-up for every line a code flushes (5 ms of CPU for a 30 ms xtb run).
	stderrRead, stderrWrite, err := os.Pipe()
	if err != nil {
		fail(err)
		return
	}
	files = append(files, stderrRead, stderrWrite)

	childrenMu.Lock()
	defer childrenMu.Unlock()
	began := time.Now()
	// clone(CLONE_VFORK) + execve: the cost does not grow with this process's size, and it is small
	pid, err := syscall.ForkExec(req.Path, req.Argv, &syscall.ProcAttr{
		Dir:   req.Dir,
		Env:   req.Env,
		Files: []uintptr{devNull.Fd(), stdoutFile.Fd(), stderrWrite.Fd()},
		Sys:   &syscall.SysProcAttr{Setsid: true},
	})
	if err != nil {
		send(reply{ID: req.ID, Error: "fork/exec " + req.Path + ": " + err.Error(), Errno: errnoName(err)})
		return
	}
	output := &sync.WaitGroup{}
	output.Add(1)
	go copyOutput(stderrRead, stderrFile, output)
	files = []*os.File{stdoutFile, stderrWrite} // only the code and its descendants hold them now
	children[pid] = child{id: req.ID, began: began, output: output}
	send(reply{ID: req.ID, Pid: pid})
}

func copyOutput(from, to *os.File, done *sync.WaitGroup) {
	defer done.Done()
	_, _ = io.Copy(to, from)
	_ = from.Close()
	_ = to.Close()
}

// finish reports a code's end once its output has ended too, or after outputGrace if some process outside its
// process group keeps the output open.
func finish(c child, e *exit) {
	done := make(chan struct{})
	go func() {
		c.output.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(outputGrace):
	}
	send(reply{ID: c.id, Exit: e})
}

// reap waits for SIGCHLD and reports every child that has ended: one goroutine for all of them, rather than
// one per child holding an OS thread in a blocking wait.
func reap(sigchld <-chan os.Signal) {
	for range sigchld {
		for {
			var ws syscall.WaitStatus
			var ru syscall.Rusage
			pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, &ru)
			if err == syscall.EINTR {
				continue
			}
			if err != nil || pid <= 0 {
				break // ECHILD: none left; 0: the rest still run
			}
			childrenMu.Lock()
			c, ok := children[pid]
			delete(children, pid)
			if len(children) == 0 {
				allReaped.Broadcast()
			}
			childrenMu.Unlock()
			if !ok {
				continue
			}
			e := &exit{
				Code:     ws.ExitStatus(),
				WallNs:   time.Since(c.began).Nanoseconds(),
				UserUs:   ru.Utime.Sec*1e6 + ru.Utime.Usec,
				SysUs:    ru.Stime.Sec*1e6 + ru.Stime.Usec,
				MaxRssKb: ru.Maxrss, // kilobytes on Linux
			}
			if ws.Signaled() {
				e.Code = -1
				e.Signal = int(ws.Signal())
			}
			go finish(c, e)
		}
	}
}

// endAll signals every group still running, waits up to the grace period for the leaders to be reaped, then
// kills what is left. Descendants that outlive their leader are ended by the same group signal.
func endAll() {
	signalAll := func(sig syscall.Signal) {
		childrenMu.Lock()
		defer childrenMu.Unlock()
		for pgid := range children {
			_ = syscall.Kill(-pgid, sig)
		}
	}
	signalAll(syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		childrenMu.Lock()
		for len(children) > 0 {
			allReaped.Wait()
		}
		childrenMu.Unlock()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(killGrace):
		signalAll(syscall.SIGKILL)
	}
}

func main() {
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		os.Stderr.WriteString("cascade-launcher: " + err.Error() + "\n")
		os.Exit(1)
	}
	sigchld := make(chan os.Signal, 1)
	signal.Notify(sigchld, syscall.SIGCHLD)
	go reap(sigchld)
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	// One processor: the work is a little at a time, and with more the scheduler keeps spare threads
	// spinning for work at every request and every SIGCHLD, which cost about as much CPU again (measured:
	// 1.1 -> 0.6 ms per 30 ms xtb run on 2 cores).
	runtime.GOMAXPROCS(1)
	eof := make(chan struct{})
	go func() {
		in := bufio.NewScanner(os.Stdin)
		in.Buffer(make([]byte, 1<<20), 64<<20) // an environment plus argv fits easily
		for in.Scan() {
			var req request
			if err := json.Unmarshal(in.Bytes(), &req); err != nil {
				send(reply{ID: req.ID, Error: "bad request: " + err.Error()})
				continue
			}
			start(req, devNull)
		}
		close(eof)
	}()
	select {
	case <-eof:
	case <-signals:
	}
	endAll()
}
