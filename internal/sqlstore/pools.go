package sqlstore

import "database/sql"

// Pools names the connection pools of the store, for their statistics.
// An engine with one pool names it once.
func (db *DB) Pools() map[string]*sql.DB {
	if db.Read == db.Write || db.Read == nil {
		return map[string]*sql.DB{"db": db.Write}
	}
	return map[string]*sql.DB{"write": db.Write, "read": db.Read}
}
