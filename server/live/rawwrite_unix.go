//go:build unix

package live

import (
	"syscall"
	"unsafe"
)

// canRawWrite: flushers may write to sockets themselves.
const canRawWrite = true

// rawWrite is write(2) on a non-blocking descriptor, made raw
// (syscall.RawSyscall: the scheduler is not told), as is right for a call
// that cannot block: on a machine whose cores are all busy, a thread the
// kernel preempts inside an announced system call has its P handed to
// another thread, and that churn cost a tenth of the server's CPU per
// delivery at 10,000 sockets.
func rawWrite(fd uintptr, b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	n, _, errno := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}
