package audit

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/teamlead/dashboard/internal/clock"
	"github.com/teamlead/dashboard/internal/secretfile"
	"github.com/teamlead/dashboard/internal/store"
)

// Files of the anchor in the data directory.
const (
	// CheckpointFile is the append-only file of signed checkpoints, one
	// JSON object a line.
	CheckpointFile = "audit-checkpoints.jsonl"
	// CheckpointKeyFile holds the ed25519 seed (hex) that signs them,
	// created once.
	CheckpointKeyFile = "audit-checkpoint.key"
)

// DefaultCheckpointEvery is how many entries pass between checkpoints
// unless configured.
const DefaultCheckpointEvery = 100

// publishTimeout bounds one sink's delivery of one checkpoint.
const publishTimeout = 5 * time.Second

// Checkpoint anchors the hash chain outside the database: the head's id and
// hash and the number of entries at one moment, signed. The hash chain
// alone cannot show that its newest entries were removed (the rest still
// links up); a checkpoint that names a later head than the database holds
// can.
type Checkpoint struct {
	ID    int64  `json:"id"`    // the newest entry's id; 0 for an empty log
	Hash  string `json:"hash"`  // that entry's hash
	Count int64  `json:"count"` // entries in the log: ids run from 1 without gaps, so equal to ID
	At    int64  `json:"at"`    // when it was taken, unix milliseconds UTC
	Key   string `json:"key"`   // the signer's ed25519 public key, hex
	Sig   string `json:"sig"`   // ed25519 signature of the fields above, base64
}

// message is what the signature covers.
func (c Checkpoint) message() []byte {
	return fmt.Appendf(nil, "dashboard audit checkpoint v1\nid %d\nhash %s\ncount %d\nat %d\nkey %s\n", c.ID, c.Hash, c.Count, c.At, c.Key)
}

// Time is when the checkpoint was taken.
func (c Checkpoint) Time() time.Time { return store.TimeOf(c.At) }

// Sink receives every checkpoint besides the file: somewhere outside the
// data directory, so someone who can rewrite both the database and the
// checkpoint file still cannot rewrite what was sent.
type Sink interface {
	Publish(ctx context.Context, cp Checkpoint) error
	Name() string
}

// AnchorOptions configure OpenAnchor.
type AnchorOptions struct {
	Every  int64        // entries between checkpoints; 0 is DefaultCheckpointEvery
	Sinks  []Sink       // also sent every checkpoint; a failing sink is logged, not fatal
	Clock  clock.Clock  // stamps checkpoints; nil is the wall clock
	Logger *slog.Logger // nil discards
}

// Anchor signs checkpoints of the chain into the data directory's
// checkpoint file and its sinks, and reads them back for Verify.
type Anchor struct {
	path  string
	key   ed25519.PrivateKey // nil when only reading
	pub   ed25519.PublicKey
	every int64
	sinks []Sink
	clock clock.Clock
	log   *slog.Logger

	mu sync.Mutex // one writer of the file at a time
}

// OpenAnchor prepares checkpoints for the data directory dir: it loads the
// signing key, creating it once (mode 0600) when there is none.
func OpenAnchor(dir string, o AnchorOptions) (*Anchor, error) {
	raw, err := secretfile.LoadOrCreate(filepath.Join(dir, CheckpointKeyFile), func() ([]byte, error) {
		seed := make([]byte, ed25519.SeedSize)
		if _, err := rand.Read(seed); err != nil {
			return nil, err
		}
		return []byte(hex.EncodeToString(seed) + "\n"), nil
	})
	if err != nil {
		return nil, fmt.Errorf("audit checkpoint key: %w", err)
	}
	a, err := anchorFromKey(dir, raw)
	if err != nil {
		return nil, err
	}
	a.every, a.sinks, a.clock, a.log = o.Every, o.Sinks, o.Clock, o.Logger
	if a.every <= 0 {
		a.every = DefaultCheckpointEvery
	}
	if a.clock == nil {
		a.clock = clock.Real()
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	return a, nil
}

// LoadAnchor reads the data directory's anchor for verification, creating
// nothing. It returns nil and no error when the directory has neither key
// nor checkpoint file (no server has run there yet).
func LoadAnchor(dir string) (*Anchor, error) {
	raw, err := os.ReadFile(filepath.Join(dir, CheckpointKeyFile))
	if errors.Is(err, fs.ErrNotExist) {
		if _, ferr := os.Stat(filepath.Join(dir, CheckpointFile)); ferr == nil {
			return nil, fmt.Errorf("audit: %s exists but its key %s is missing: the checkpoints cannot be checked", CheckpointFile, CheckpointKeyFile)
		}
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("audit checkpoint key: %w", err)
	}
	return anchorFromKey(dir, raw)
}

func anchorFromKey(dir string, raw []byte) (*Anchor, error) {
	seed, err := hex.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("audit: %s is damaged: want %d hex-encoded bytes", filepath.Join(dir, CheckpointKeyFile), ed25519.SeedSize)
	}
	key := ed25519.NewKeyFromSeed(seed)
	return &Anchor{path: filepath.Join(dir, CheckpointFile), key: key, pub: key.Public().(ed25519.PublicKey)}, nil
}

// PublicKey is the hex public key that verifies this anchor's checkpoints,
// for a webhook or syslog receiver to pin.
func (a *Anchor) PublicKey() string { return hex.EncodeToString(a.pub) }

// Path is the checkpoint file.
func (a *Anchor) Path() string { return a.path }

// Write signs a checkpoint of head, appends it to the checkpoint file and
// syncs the file. It does not publish to the sinks: see Publish.
func (a *Anchor) Write(head Head) (Checkpoint, error) {
	cp := Checkpoint{ID: head.ID, Hash: head.Hash, Count: head.ID, At: store.Millis(a.clock.Now()), Key: a.PublicKey()}
	cp.Sig = base64.StdEncoding.EncodeToString(ed25519.Sign(a.key, cp.message()))
	line, err := json.Marshal(cp)
	if err != nil {
		return Checkpoint{}, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	f, err := os.OpenFile(a.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("audit checkpoint: %w", err)
	}
	// One write of the whole line: O_APPEND keeps it in one piece even with
	// a second writer.
	_, werr := f.Write(append(line, '\n'))
	if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
		return Checkpoint{}, fmt.Errorf("audit checkpoint: %w", err)
	}
	return cp, nil
}

// Publish sends cp to every sink, each bounded by publishTimeout; failures
// are logged and returned together.
func (a *Anchor) Publish(ctx context.Context, cp Checkpoint) error {
	var errs []error
	for _, s := range a.sinks {
		sctx, cancel := context.WithTimeout(ctx, publishTimeout)
		err := s.Publish(sctx, cp)
		cancel()
		if err != nil {
			a.log.Error("audit checkpoint not delivered", "sink", s.Name(), "id", cp.ID, "err", err)
			errs = append(errs, fmt.Errorf("%s: %w", s.Name(), err))
		}
	}
	return errors.Join(errs...)
}

// Checkpoints reads the checkpoint file, oldest first, checking every
// signature against this anchor's key. A missing file is no checkpoints. A
// last line without its newline (a crash while writing it) is skipped;
// any other line that does not parse or verify is an error naming it.
func (a *Anchor) Checkpoints() ([]Checkpoint, error) {
	data, err := os.ReadFile(a.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	if i := bytes.LastIndexByte(data, '\n'); i < len(data)-1 {
		data = data[:i+1] // a torn last line
	}
	var out []Checkpoint
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		var cp Checkpoint
		if err := json.Unmarshal(sc.Bytes(), &cp); err != nil {
			return nil, fmt.Errorf("audit: %s line %d is not a checkpoint: %v", CheckpointFile, n, err)
		}
		sig, err := base64.StdEncoding.DecodeString(cp.Sig)
		if err != nil || cp.Key != a.PublicKey() || !ed25519.Verify(a.pub, cp.message(), sig) {
			return nil, fmt.Errorf("audit: %s line %d is not signed by this data directory's key (%s)", CheckpointFile, n, CheckpointKeyFile)
		}
		out = append(out, cp)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("audit: %s: %w", CheckpointFile, err)
	}
	return out, nil
}

// anchorRun writes a Log's checkpoints: one at start when the head moved
// since the file's last, one in the background every Every committed
// entries, and a last one on Close. The file is written first; the sinks
// get each checkpoint from the background loop (or Close), so a slow
// webhook delays neither start-up nor appends.
type anchorRun struct {
	a *Anchor

	mu          sync.Mutex
	inFile      int64 // the head id of the newest checkpoint in the file; -1 for none
	countsAt    int64 // the head id the next checkpoint is counted from
	due         bool  // Every entries were committed since the last checkpoint
	unpublished []Checkpoint

	kick chan struct{} // buffered 1: a checkpoint is due, or one is to be published
	quit chan struct{}
	done chan struct{}
}

func (r *anchorRun) start(l *Log) {
	r.kick, r.quit, r.done = make(chan struct{}, 1), make(chan struct{}), make(chan struct{})
	r.inFile = -1
	cps, err := r.a.Checkpoints()
	if err != nil {
		r.a.log.Error("audit checkpoints do not verify; run `dashboard audit verify`", "err", err)
	}
	var newest int64
	for _, cp := range cps {
		newest = max(newest, cp.ID)
	}
	if len(cps) > 0 {
		r.inFile = cps[len(cps)-1].ID
	}
	if head, err := l.Head(context.Background()); err == nil && head.ID < newest {
		r.a.log.Error("the audit log has fewer entries than its newest checkpoint: entries were removed; run `dashboard audit verify`",
			"entries", head.ID, "checkpoint", newest)
	}
	// Anchor the head the log opened with: entries written while no server
	// ran (by a tool, or by someone with the file) are pinned from here on.
	if err := r.write(l); err != nil {
		r.a.log.Error("audit checkpoint not written", "err", err)
	}
	r.mu.Lock()
	r.countsAt = max(r.inFile, 0)
	r.mu.Unlock()
	go r.loop(l)
	r.kick <- struct{}{} // publish the start checkpoint
}

// committed notes a batch's new head, kicking the writer when a checkpoint
// is due.
func (r *anchorRun) committed(h Head) {
	r.mu.Lock()
	due := h.ID-r.countsAt >= r.a.every
	if due {
		r.countsAt, r.due = h.ID, true
	}
	r.mu.Unlock()
	if due {
		select {
		case r.kick <- struct{}{}:
		default: // one is pending already and will take the newest head
		}
	}
}

func (r *anchorRun) loop(l *Log) {
	defer close(r.done)
	for {
		select {
		case <-r.quit:
			return
		case <-r.kick:
		}
		r.mu.Lock()
		due := r.due
		r.due = false
		r.mu.Unlock()
		if due {
			if err := r.write(l); err != nil {
				r.a.log.Error("audit checkpoint not written", "err", err)
			}
		}
		r.publish()
	}
}

// write appends a checkpoint of the committed head to the file, unless the
// file has one of it already, and queues it for the sinks.
func (r *anchorRun) write(l *Log) error {
	head, err := l.Head(context.Background())
	if err != nil {
		return err
	}
	r.mu.Lock()
	same := head.ID == r.inFile
	r.mu.Unlock()
	if same {
		return nil
	}
	cp, err := r.a.Write(head)
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.inFile = head.ID
	if len(r.a.sinks) > 0 {
		r.unpublished = append(r.unpublished, cp)
	}
	r.mu.Unlock()
	return nil
}

// publish sends the queued checkpoints to the sinks.
func (r *anchorRun) publish() {
	r.mu.Lock()
	cps := r.unpublished
	r.unpublished = nil
	r.mu.Unlock()
	for _, cp := range cps {
		_ = r.a.Publish(context.Background(), cp)
	}
}

// stop ends the loop, writes the final checkpoint and publishes what is
// still queued.
func (r *anchorRun) stop(l *Log) error {
	close(r.quit)
	<-r.done
	err := r.write(l)
	r.publish()
	return err
}
