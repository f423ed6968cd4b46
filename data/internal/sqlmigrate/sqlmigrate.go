// Package sqlmigrate reads the numbered SQL migrations an armsflow SQL store
// embeds (migrations/NNNN_description.sql) and checks they run 1, 2, 3, …
// without gaps. Applying them is the store's own business: each engine has
// its own transactions and locks.
package sqlmigrate

import (
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
)

// Migration is one numbered schema step.
type Migration struct {
	Version int
	Name    string // file name, e.g. "0001_init.sql"
	SQL     string
}

// Load reads dir/NNNN_name.sql from fsys, in order; Migrations[i].Version
// is i+1.
func Load(fsys fs.FS, dir string) ([]Migration, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.sql"))
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for i, p := range names { // fs.Glob returns names sorted
		name := path.Base(p)
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must be NNNN_description.sql", name)
		}
		if v != i+1 {
			return nil, fmt.Errorf("migration %s: want version %d (versions must run 1, 2, 3, … without gaps)", name, i+1)
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: name, SQL: string(b)})
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("no migrations in %s", dir)
	}
	return ms, nil
}
