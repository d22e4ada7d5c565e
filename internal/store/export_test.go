package store

// OpenWithMigrations opens a database with only the given migrations, so
// upgrade tests can build a database as an older release left it.
var OpenWithMigrations = open
