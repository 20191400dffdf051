//go:build !unix

package devstack

// dirLock is a no-op on platforms without flock.
type dirLock struct{}

// lockDataDir does not lock on this platform; running two dev stacks on the
// same data dir is not detected here.
func lockDataDir(string) (*dirLock, error) { return &dirLock{}, nil }

func (l *dirLock) unlock() {}
