package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/config"
	"github.com/teamlead/dashboard/internal/store"
)

// auditCommand checks the audit log: `dashboard audit verify` recomputes the
// hash chain and names the first broken entry. It exits non-zero when the
// chain is broken, so it can run from cron or monitoring.
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
	db, err := store.Open(ctx, filepath.Join(dir, "dashboard.db"))
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := audit.New(db, nil).Verify(ctx)
	if err != nil {
		return err
	}
	if !res.OK() {
		return fmt.Errorf("audit log broken at entry %d: %s (%d entries checked)", res.FirstBroken, res.Reason, res.Entries)
	}
	fmt.Fprintf(stdout, "audit log intact: %d entries verified\n", res.Entries)
	return nil
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
