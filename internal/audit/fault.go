package audit

import (
	"errors"
	"slices"
	"sync"
)

// ErrSimulatedFull is the error a Fault fails writes with unless told
// otherwise: what SQLite reports when the disk is full.
var ErrSimulatedFull = errors.New("database or disk is full (simulated)")

// Fault makes audit writes fail on demand, so tests can check that an
// action fails closed when its audit entry cannot be written (a full disk,
// a broken file) without filling a disk. Give it to New with WithFault (or
// to the app with app.Tuning.AuditFault). A failing write fails inside its
// transaction, so Append's whole batch and AppendTx's caller transaction
// are rolled back, exactly as when SQLite itself refuses a write. The zero
// value and nil fail nothing.
type Fault struct {
	mu      sync.Mutex
	err     error
	actions []string
}

// Fail makes every following write of an entry with one of actions (of
// every entry when none are given) fail with err (ErrSimulatedFull when
// nil), until Heal.
func (f *Fault) Fail(err error, actions ...string) {
	if err == nil {
		err = ErrSimulatedFull
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err, f.actions = err, slices.Clone(actions)
}

// Heal lets writes succeed again.
func (f *Fault) Heal() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err, f.actions = nil, nil
}

// check is consulted before each entry is written.
func (f *Fault) check(e Entry) error {
	if f == nil {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err == nil || (len(f.actions) > 0 && !slices.Contains(f.actions, e.Action)) {
		return nil
	}
	return f.err
}
