package imports

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// isTerminal reports whether w looks like a terminal: an *os.File that is a
// character device, or any writer with an IsTerminal() bool method that
// says so (tests use one).
func isTerminal(w io.Writer) bool {
	if t, ok := w.(interface{ IsTerminal() bool }); ok {
		return t.IsTerminal()
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progressInterval is the shortest time between two redraws (~10 per s).
const progressInterval = 100 * time.Millisecond

// progress counts the bytes read through it and redraws a one-line bar
// with \r at most every progressInterval.
type progress struct {
	r     io.Reader
	w     io.Writer
	name  string
	total int64 // -1 when unknown
	read  int64
	last  time.Time
	now   func() time.Time
}

func newProgress(r io.Reader, w io.Writer, name string, total int64) *progress {
	return &progress{r: r, w: w, name: name, total: total, now: time.Now}
}

func (p *progress) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.read += int64(n)
	if t := p.now(); t.Sub(p.last) >= progressInterval {
		p.last = t
		p.draw()
	}
	return n, err
}

func (p *progress) draw() {
	if p.total <= 0 {
		fmt.Fprintf(p.w, "\r%s %s", p.name, humanBytes(p.read))
		return
	}
	frac := float64(p.read) / float64(p.total)
	if frac > 1 {
		frac = 1
	}
	const width = 30
	n := int(frac * width)
	fmt.Fprintf(p.w, "\r%s [%s%s] %3.0f%% %s/%s", p.name, strings.Repeat("=", n), strings.Repeat(" ", width-n),
		frac*100, humanBytes(p.read), humanBytes(p.total))
}

// done draws the final state and ends the line.
func (p *progress) done() {
	p.draw()
	fmt.Fprintln(p.w)
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
