//go:build !unix

package live

import "errors"

// canRawWrite: flushers hand every socket to its writer.
const canRawWrite = false

func rawWrite(uintptr, []byte) (int, error) { return 0, errors.ErrUnsupported }
