package sqlstore

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"

	"github.com/kund/kund/internal/customer"
)

// The store gives every customer and address its uuid: the prefix and ten
// digits that a keyed permutation makes of a number from the engine's
// sequence (a customer's is its row id). Unique by construction, nothing
// to look up or keep unique on a write, and a lookup by uuid computes the
// row id; without the key, consecutive numbers give uuids that look
// drawn at random. Customers and addresses from before migration 0014
// keep the uuids they drew at random, in drawn_uuids and address_uuids,
// and a new uuid that one of those holds is passed over.
//
// No format-preserving cipher (FF1, FF3) is served by the module proxy,
// so this is the usual construction for a domain of 10^10: a balanced
// Feistel network on 34 bits with AES as the round function, walking the
// cycle until the value has ten digits.

const (
	uuidSpace    = 10_000_000_000
	feistelHalf  = 17 // bits; 2^34 > uuidSpace
	feistelMask  = 1<<feistelHalf - 1
	feistelRound = 8
)

// permutation is a keyed bijection of [0, uuidSpace).
type permutation struct{ b cipher.Block }

func newPermutation(key []byte) (permutation, error) {
	b, err := aes.NewCipher(key)
	return permutation{b}, err
}

// block is the round function's input and output. A slice passed to
// cipher.Block escapes, so one block serves every round of a mapping.
type block [2 * aes.BlockSize]byte

func (p permutation) f(b *block, round int, x uint64) uint64 {
	clear(b[:aes.BlockSize])
	b[0] = byte(round)
	binary.BigEndian.PutUint64(b[8:aes.BlockSize], x)
	p.b.Encrypt(b[aes.BlockSize:], b[:aes.BlockSize])
	return binary.BigEndian.Uint64(b[aes.BlockSize:]) & feistelMask
}

func (p permutation) forward(b *block, x uint64) uint64 {
	l, r := x>>feistelHalf, x&feistelMask
	for i := range feistelRound {
		l, r = r, l^p.f(b, i, r)
	}
	return l<<feistelHalf | r
}

func (p permutation) backward(b *block, y uint64) uint64 {
	l, r := y>>feistelHalf, y&feistelMask
	for i := feistelRound - 1; i >= 0; i-- {
		l, r = r^p.f(b, i, l), l
	}
	return l<<feistelHalf | r
}

// apply maps n (below uuidSpace) to its image below uuidSpace.
func (p permutation) apply(n uint64) uint64 {
	b := new(block)
	for n = p.forward(b, n); n >= uuidSpace; n = p.forward(b, n) {
	}
	return n
}

// invert is apply's inverse.
func (p permutation) invert(n uint64) uint64 {
	b := new(block)
	for n = p.backward(b, n); n >= uuidSpace; n = p.backward(b, n) {
	}
	return n
}

const (
	customerPrefix = "CSRT"
	addressPrefix  = "ADRS"
)

// uuidOf is the uuid of the sequence's number n.
func (p permutation) uuidOf(prefix string, n int64) string {
	s := strconv.FormatUint(p.apply(uint64(n)), 10)
	return prefix + "0000000000"[len(s):] + s
}

// numberOf is the sequence's number whose uuid u is, or false for a
// string of another form.
func (p permutation) numberOf(prefix, u string) (int64, bool) {
	if len(u) != len(prefix)+10 || u[:len(prefix)] != prefix {
		return 0, false
	}
	n, err := strconv.ParseUint(u[len(prefix):], 10, 64)
	if err != nil {
		return 0, false
	}
	return int64(p.invert(n)), true
}

// uuidState is what the store learns of the uuids once: the two keys, and
// whether any uuid drawn at random before migration 0014 is left (those
// tables never grow, so once empty they stay empty).
type uuidState struct {
	customers, addresses permutation
	drawnCustomers       bool
	drawnAddresses       bool
}

// uuidKeys loads the keys once, through q: the transaction of a write
// (which a lock here, or a connection of the pool, would deadlock against
// other writes holding theirs) or the read pool. Two that load at once
// both read the same.
func (db *DB) uuidKeys(ctx context.Context, q queryer) (*uuidState, error) {
	if s := db.uuids.Load(); s != nil {
		return s, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT name, key FROM uuid_keys`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	s := &uuidState{}
	found := 0
	for rows.Next() {
		var name string
		var key []byte
		if err := rows.Scan(&name, &key); err != nil {
			return nil, err
		}
		p, err := newPermutation(key)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: uuid key %s: %w", name, err)
		}
		switch name {
		case "customers":
			s.customers, found = p, found|1
		case "addresses":
			s.addresses, found = p, found|2
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if found != 3 {
		return nil, errors.New("sqlstore: the uuid keys are missing (migration 0014)")
	}
	for _, t := range []struct {
		table string
		left  *bool
	}{{"drawn_uuids", &s.drawnCustomers}, {"address_uuids", &s.drawnAddresses}} {
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM `+t.table+` LIMIT 1) AS d`).Scan(t.left); err != nil {
			return nil, err
		}
	}
	db.uuids.Store(s)
	return s, nil
}

// giveUUIDs gives each customer of cs a new row id (into ids, when ids is
// not nil) and uuid, and each of its addresses whose uuid it did not have
// before (olds[k] is cs[k] before the change; olds nil: all are new) a new
// uuid. Numbers whose uuid was drawn at random before are passed over.
func (db *DB) giveUUIDs(ctx context.Context, tx *sql.Tx, cs []*customer.Customer, ids []int64, olds []*customer.Customer) error {
	s, err := db.uuidKeys(ctx, tx)
	if err != nil {
		return err
	}
	var custs []int // those of cs still without a number
	if ids != nil {
		custs = make([]int, len(cs))
		for k := range cs {
			custs[k] = k
		}
	}
	var addrs []*customer.Address
	for k, c := range cs {
		for _, a := range []*customer.Address{&c.LegalAddress, c.BillingAddress} {
			if a != nil && (olds == nil || !hasAddressUUID(olds[k], a.UUID)) {
				addrs = append(addrs, a)
			}
		}
	}
	for len(custs) > 0 || len(addrs) > 0 {
		got, err := db.nextValues(ctx, tx, len(custs), len(addrs))
		if err != nil {
			return err
		}
		cu, au := make([]string, len(custs)), make([]string, len(addrs))
		for j := range cu {
			cu[j] = s.customers.uuidOf(customerPrefix, got[0][j])
		}
		for j := range au {
			au[j] = s.addresses.uuidOf(addressPrefix, got[1][j])
		}
		taken := map[string]bool{}
		if s.drawnCustomers && len(cu) > 0 {
			if err := db.drawnAmong(ctx, tx, taken, "drawn_uuids", cu); err != nil {
				return err
			}
		}
		if s.drawnAddresses && len(au) > 0 {
			if err := db.drawnAmong(ctx, tx, taken, "address_uuids", au); err != nil {
				return err
			}
		}
		var againCusts []int
		for j, k := range custs {
			if taken[cu[j]] {
				againCusts = append(againCusts, k)
				continue
			}
			ids[k], cs[k].UUID = got[0][j], cu[j]
		}
		var againAddrs []*customer.Address
		for j, a := range addrs {
			if taken[au[j]] {
				againAddrs = append(againAddrs, a)
				continue
			}
			a.UUID = au[j]
		}
		custs, addrs = againCusts, againAddrs
	}
	return nil
}

// nextValues takes customers numbers from the customers' sequence and
// addresses from the addresses' (the dialect's NextValuesSQL).
func (db *DB) nextValues(ctx context.Context, tx *sql.Tx, customers, addresses int) ([2][]int64, error) {
	var got [2][]int64
	rows, err := db.txQuery(ctx, tx, db.d.NextValuesSQL, customers, addresses)
	if err != nil {
		return got, err
	}
	defer rows.Close()
	for rows.Next() {
		var kind, first, n int64
		if err := rows.Scan(&kind, &first, &n); err != nil {
			return got, err
		}
		if kind != 0 && kind != 1 {
			return got, fmt.Errorf("sqlstore: a sequence of kind %d", kind)
		}
		for v := first; v < first+n; v++ {
			if v <= 0 || v >= uuidSpace {
				return got, errors.New("sqlstore: the uuid sequence is outside 1 to 10^10")
			}
			got[kind] = append(got[kind], v)
		}
	}
	if err := rows.Err(); err != nil {
		return got, err
	}
	if len(got[0]) != customers || len(got[1]) != addresses {
		return got, fmt.Errorf("sqlstore: asked the sequences for %d and %d numbers, got %d and %d", customers, addresses, len(got[0]), len(got[1]))
	}
	return got, nil
}

// drawnAmong adds to set which of the uuids keys table (drawn_uuids or
// address_uuids) holds.
func (db *DB) drawnAmong(ctx context.Context, tx *sql.Tx, set map[string]bool, table string, keys []string) error {
	if db.d.Numbered {
		// PostgreSQL and its kin take the keys as one array.
		return db.amongTaken(ctx, tx, set, `SELECT d.uuid FROM unnest(?::text[]) AS k (u)
			CROSS JOIN LATERAL (SELECT uuid FROM `+table+` WHERE uuid = k.u LIMIT 1) AS d`, keys)
	}
	return db.amongListed(ctx, tx, set, `SELECT uuid FROM `+table+` WHERE uuid IN `, nil, keys)
}

// hasAddressUUID says whether one of c's addresses has uuid u.
func hasAddressUUID(c *customer.Customer, u string) bool {
	return c.LegalAddress.UUID == u || (c.BillingAddress != nil && c.BillingAddress.UUID == u)
}
