package auth

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/teamlead/dashboard/internal/secretfile"
)

// KeysFile is the name, inside the data directory, of the file holding the
// session cookie keys.
const KeysFile = "session.keys"

const (
	hashKeyLen  = 64 // HMAC-SHA256 key for cookie authentication
	blockKeyLen = 32 // AES-256 key for cookie encryption
)

// LoadOrCreateKeys returns the session cookie keys stored in
// dataDir/session.keys, generating and saving them (mode 0600) on first use.
// Keeping them on disk lets logins survive restarts; deleting the file signs
// everyone out. A damaged file is an error rather than silently replaced, so
// an operator notices.
func LoadOrCreateKeys(dataDir string) (hashKey, blockKey []byte, err error) {
	path := filepath.Join(dataDir, KeysFile)
	data, err := secretfile.LoadOrCreate(path, func() ([]byte, error) {
		hashKey, blockKey := make([]byte, hashKeyLen), make([]byte, blockKeyLen)
		if _, err := rand.Read(hashKey); err != nil {
			return nil, err
		}
		if _, err := rand.Read(blockKey); err != nil {
			return nil, err
		}
		return []byte(hex.EncodeToString(hashKey) + "\n" + hex.EncodeToString(blockKey) + "\n"), nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("auth: session keys: %w", err)
	}
	corrupt := func(why string) error {
		return fmt.Errorf("auth: session keys file %s is corrupt (%s); delete it to generate new keys (this signs everyone out)", path, why)
	}
	fields := strings.Fields(string(data))
	if len(fields) != 2 {
		return nil, nil, corrupt(fmt.Sprintf("want 2 hex lines, found %d", len(fields)))
	}
	if hashKey, err = hex.DecodeString(fields[0]); err != nil || len(hashKey) != hashKeyLen {
		return nil, nil, corrupt(fmt.Sprintf("line 1 must be %d hex-encoded bytes", hashKeyLen))
	}
	if blockKey, err = hex.DecodeString(fields[1]); err != nil || len(blockKey) != blockKeyLen {
		return nil, nil, corrupt(fmt.Sprintf("line 2 must be %d hex-encoded bytes", blockKeyLen))
	}
	return hashKey, blockKey, nil
}
