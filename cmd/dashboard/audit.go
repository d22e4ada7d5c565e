package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/teamlead/dashboard/internal/app"
	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/config"
	"github.com/teamlead/dashboard/internal/store"
)

// auditCommand checks the audit log: `dashboard audit verify` recomputes the
// hash chain, names the first broken entry, and checks the database against
// the signed checkpoints in the data directory, which name removed newest
// entries the chain alone cannot show. It exits non-zero when anything does
// not verify, so it can run from cron or monitoring, also beside a running
// server. It never creates a database: a data directory without one is an
// error.
func auditCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return errors.New("audit needs a subcommand: verify")
	}
	fs := flag.NewFlagSet("dashboard audit verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "", "data directory [$"+config.EnvData+"] (default "+config.DefaultDataDir+")")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	dir := dataDir(*data, getenv)
	db, err := openExisting(ctx, dir)
	if err != nil {
		return err
	}
	defer db.Close()
	anchor, err := audit.LoadAnchor(dir)
	if err != nil {
		return err
	}
	var cps []audit.Checkpoint
	if anchor != nil {
		if cps, err = anchor.Checkpoints(); err != nil {
			return err
		}
	}
	res, err := audit.New(db, nil).VerifyAgainst(ctx, cps)
	if err != nil {
		return err
	}
	if !res.OK() {
		return fmt.Errorf("audit log broken at entry %d: %s (%s entries checked)", res.FirstBroken, res.Reason, audit.Thousands(res.Entries))
	}
	fmt.Fprintf(stdout, "audit log intact: %s entries verified\n", audit.Thousands(res.Entries))
	if res.Checkpoints == 0 {
		fmt.Fprintf(stdout, "no signed checkpoints in %s yet (a server writes them every %d entries and when it stops)\n", dir, audit.DefaultCheckpointEvery)
	} else {
		fmt.Fprintf(stdout, "agrees with %s signed checkpoints, the newest at entry %s (key %s)\n", audit.Thousands(int64(res.Checkpoints)), audit.Thousands(res.LastCheckpoint), anchor.PublicKey())
	}
	return nil
}

// openExisting opens the dashboard database of data directory dir, never
// creating one: a mistyped -data must not leave an empty database behind.
func openExisting(ctx context.Context, dir string) (*store.DB, error) {
	db, err := store.Open(ctx, filepath.Join(dir, app.DatabaseFile), store.Existing())
	if errors.Is(err, store.ErrNotDashboard) {
		return nil, fmt.Errorf("%s does not hold this dashboard's database (%s); check -data or %s: %w", dir, app.DatabaseFile, config.EnvData, err)
	}
	return db, err
}

// dataDir resolves -data, then DASHBOARD_DATA, then the default.
func dataDir(flagValue string, getenv func(string) string) string {
	if flagValue != "" {
		return flagValue
	}
	if v := getenv(config.EnvData); v != "" {
		return v
	}
	return config.DefaultDataDir
}
