package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/kund/kund/internal/customer"
)

// CreateLedger stores a new ledger.
func (db *DB) CreateLedger(ctx context.Context, l *customer.Ledger) error {
	kyc, err := kycColumn(l.KYCQuestions)
	if err != nil {
		return err
	}
	_, err = db.Write.ExecContext(ctx, db.Q(`INSERT INTO ledgers (no, country, customer_numbers, created_at, disbursements, kyc_questions, kyc_renewal_days,
		session_lookups, session_ttl_seconds, event_retention_days, register_monitoring) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		l.No, l.Country, l.CustomerNumbers, micros(l.CreatedAt), l.Disbursements, kyc, l.KYCRenewalDays, l.SessionLookups, int64(l.SessionTTL/time.Second),
		l.EventRetentionDays, l.RegisterMonitoring)
	if db.d.IsUnique(err) {
		return customer.Errorf(customer.ECONFLICT, "The ledger already exists.")
	}
	return db.Err(err)
}

// Ledger returns a ledger.
func (db *DB) Ledger(ctx context.Context, no string) (*customer.Ledger, error) {
	return readThrough(db, ctx, (*readCache).ledgerMap, no, func() (*customer.Ledger, error) { return db.ledger(ctx, db.Read, no, "") })
}

const customerColumns = `id, ledger_no, customer_no, uuid, reg_country, reg_no, vat_no, legal_entity, name, email,
	protected_identity, preferred_language, legal_status, msisdn, distribution_type, tax_id,
	edi_van, edi_recipient, edi_buyer_id, active_consents, metadata,
	legal_uuid, legal_addressee, legal_street, legal_co, legal_city, legal_zip, legal_country, legal_source, legal_confirmed_at,
	billing_uuid, billing_addressee, billing_street, billing_co, billing_city, billing_zip, billing_country,
	version, created_at, updated_at, sealed`

type scanner interface{ Scan(dest ...any) error }

// customerAD binds a customer's sealed values to the customer.
func customerAD(ledgerNo, no string) string { return "customers.sealed\x00" + ledgerNo + "\x00" + no }

func (db *DB) scanCustomer(row scanner) (int64, *customer.Customer, error) {
	id, c, _, err := db.scanCustomerRow(row)
	return id, c, err
}

// scanCustomerRow is scanCustomer that also says whether the row is one
// an earlier Kund wrote in clear (no sealed value, no blind indexes).
func (db *DB) scanCustomerRow(row scanner) (int64, *customer.Customer, bool, error) {
	var (
		id                                     int64
		c                                      customer.Customer
		regCountry, regNo                      sql.NullString
		ediVAN, ediRecipient, ediBuyer         sql.NullString
		consents                               string
		meta                                   sql.NullString
		bUUID, bAddressee, bStreet, bCo, bCity sql.NullString
		bZip, bCountry                         sql.NullString
		created, updated                       int64
		sealed                                 sql.NullString
		confirmed                              sql.NullInt64
	)
	err := row.Scan(&id, &c.LedgerNo, &c.No, &c.UUID, &regCountry, &regNo, &c.VATNo, &c.LegalEntity, &c.Name, &c.Email,
		&c.ProtectedIdentity, &c.PreferredLanguage, &c.LegalStatus, &c.MSISDN, &c.DistributionType, &c.TaxIdentificationNumber,
		&ediVAN, &ediRecipient, &ediBuyer, &consents, &meta,
		&c.LegalAddress.UUID, &c.LegalAddress.Addressee, &c.LegalAddress.StreetAddress, &c.LegalAddress.CoAddress,
		&c.LegalAddress.City, &c.LegalAddress.ZipCode, &c.LegalAddress.CountryCode, &c.LegalSource, &confirmed,
		&bUUID, &bAddressee, &bStreet, &bCo, &bCity, &bZip, &bCountry,
		&c.Version, &created, &updated, &sealed)
	if err != nil {
		return 0, nil, false, err
	}
	if sealed.Valid {
		plain, err := db.openText(sealed.String, customerAD(c.LedgerNo, c.No))
		if err != nil {
			return 0, nil, false, err
		}
		if err := unpack(plain, &regNo.String, &c.Email, &c.MSISDN, &c.TaxIdentificationNumber); err != nil {
			return 0, nil, false, err
		}
		regNo.Valid = regCountry.Valid
	}
	if regNo.Valid {
		c.NationalID = &customer.NationalID{RegNo: regNo.String, CountryCode: regCountry.String}
	}
	if ediBuyer.Valid {
		c.EDI = &customer.EDI{VAN: ediVAN.String, InterchangeRecipient: ediRecipient.String, BuyerID: ediBuyer.String}
	}
	if consents == "[]" {
		// Most customers have none; json.Unmarshal would say the same.
		c.ActiveConsents = []string{}
	} else if err := json.Unmarshal([]byte(consents), &c.ActiveConsents); err != nil {
		return 0, nil, false, err
	}
	if meta.Valid {
		if err := json.Unmarshal([]byte(meta.String), &c.Metadata); err != nil {
			return 0, nil, false, err
		}
	}
	if bUUID.Valid {
		c.BillingAddress = &customer.Address{UUID: bUUID.String, Addressee: bAddressee.String, StreetAddress: bStreet.String,
			CoAddress: bCo.String, City: bCity.String, ZipCode: bZip.String, CountryCode: bCountry.String}
	}
	if confirmed.Valid {
		c.LegalConfirmedAt = fromMicros(confirmed.Int64)
	}
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return id, &c, !sealed.Valid, nil
}

// sealPersonal is a customer's sealed value: its identity number, e-mail
// address, phone number and tax id together.
func (db *DB) sealPersonal(ledgerNo, no, regNo, email, msisdn, taxID string) (string, error) {
	return db.sealText(pack(regNo, email, msisdn, taxID), customerAD(ledgerNo, no))
}

// personalIndexes are the blind indexes of a customer's identity number,
// e-mail address and phone number, in the order of reg_index,
// email_index and msisdn_index.
func (db *DB) personalIndexes(ledgerNo, regNo, email, msisdn string) ([3]any, error) {
	var idx [3]any
	for i, v := range []struct{ purpose, value string }{{indexRegNo, regNo}, {indexEmail, email}, {indexMSISDN, msisdn}} {
		var err error
		if idx[i], err = db.index(v.purpose, ledgerNo, v.value); err != nil {
			return idx, err
		}
	}
	return idx, nil
}

// customerArgs are the values of every stored column after ledger_no and
// customer_no, in the order of writeColumns. The identity number, e-mail
// address, phone number and tax id are sealed together (unless seal is
// false: then sealed is nil, for a comparison of the other columns) and
// looked up by their blind indexes; their own columns stay empty.
func (db *DB) customerArgs(c *customer.Customer, seal bool) ([]any, error) {
	var regCountry, ediVAN, ediRecipient, ediBuyer sql.NullString
	regNo := ""
	if c.NationalID != nil {
		regCountry = sql.NullString{String: c.NationalID.CountryCode, Valid: true}
		regNo = c.NationalID.RegNo
	}
	var sealed any
	if seal {
		text, err := db.sealPersonal(c.LedgerNo, c.No, regNo, c.Email, c.MSISDN, c.TaxIdentificationNumber)
		if err != nil {
			return nil, err
		}
		sealed = text
	}
	idx, err := db.personalIndexes(c.LedgerNo, regNo, c.Email, c.MSISDN)
	if err != nil {
		return nil, err
	}
	if c.EDI != nil {
		ediVAN = sql.NullString{String: c.EDI.VAN, Valid: true}
		ediRecipient = sql.NullString{String: c.EDI.InterchangeRecipient, Valid: true}
		ediBuyer = sql.NullString{String: c.EDI.BuyerID, Valid: true}
	}
	consents, _ := json.Marshal(nonNil(c.ActiveConsents))
	var meta sql.NullString
	if len(c.Metadata) > 0 {
		m, _ := json.Marshal(c.Metadata) // keys sorted, so an unchanged map compares equal
		meta = sql.NullString{String: string(m), Valid: true}
	}
	b := make([]sql.NullString, 7)
	if a := c.BillingAddress; a != nil {
		for i, s := range []string{a.UUID, a.Addressee, a.StreetAddress, a.CoAddress, a.City, a.ZipCode, a.CountryCode} {
			b[i] = sql.NullString{String: s, Valid: true}
		}
	}
	return []any{c.UUID, regCountry, nil, c.VATNo, c.LegalEntity, c.Name, customer.NameKey(c.Name), "",
		c.ProtectedIdentity, c.PreferredLanguage, c.LegalStatus, "", c.DistributionType, "",
		ediVAN, ediRecipient, ediBuyer, string(consents), meta,
		c.LegalAddress.UUID, c.LegalAddress.Addressee, c.LegalAddress.StreetAddress, c.LegalAddress.CoAddress,
		c.LegalAddress.City, c.LegalAddress.ZipCode, c.LegalAddress.CountryCode, c.LegalSource, nullMicros(c.LegalConfirmedAt),
		b[0], b[1], b[2], b[3], b[4], b[5], b[6],
		c.Version, micros(c.CreatedAt), micros(c.UpdatedAt), sealed, idx[0], idx[1], idx[2]}, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

const writeColumns = `uuid, reg_country, reg_no, vat_no, legal_entity, name, name_key, email,
	protected_identity, preferred_language, legal_status, msisdn, distribution_type, tax_id,
	edi_van, edi_recipient, edi_buyer_id, active_consents, metadata,
	legal_uuid, legal_addressee, legal_street, legal_co, legal_city, legal_zip, legal_country, legal_source, legal_confirmed_at,
	billing_uuid, billing_addressee, billing_street, billing_co, billing_city, billing_zip, billing_country,
	version, created_at, updated_at, sealed, reg_index, email_index, msisdn_index`

var insertCustomerSQL = `INSERT INTO customers (id, ledger_no, customer_no, ` + writeColumns + `) VALUES (?, ?, ?` + strings.Repeat(", ?", strings.Count(writeColumns, ",")+1) + `)`

// An UPDATE rewrites every index of a column in its SET list, whether the
// value changed or not: setting all columns made a PATCH of an e-mail
// address delete and insert an entry in all seven indexes of customers
// (~10 pages into the WAL per PATCH, 2,500 PATCHes/s on the store alone).
// So the columns that feed an index are set only when they change. They
// fall in indexGroups (the migrations' indexes of customers, less
// ledger_no and customer_no, which an update never sets); every other
// column is always set. A mask of the groups that changed picks one of
// 2^len(indexGroups) statements, all prepared.
var indexGroups = [][]string{
	{"reg_country", "reg_index"},
	{"created_at"},
	{"name_key"},
	{"email_index"},
	{"msisdn_index"},
	{"legal_zip"},
}

var (
	writeColumnNames = strings.Fields(strings.ReplaceAll(writeColumns, ",", " "))
	// columnGroup is the index group of each write column, -1 for none.
	columnGroup       = columnGroups()
	updateCustomerSQL = updateStatements()
)

func columnGroups() []int {
	g := make([]int, len(writeColumnNames))
	for i, col := range writeColumnNames {
		g[i] = -1
		for j, group := range indexGroups {
			if slices.Contains(group, col) {
				g[i] = j
			}
		}
	}
	return g
}

func updateStatements() []string {
	stmts := make([]string, 1<<len(indexGroups))
	for mask := range stmts {
		var set []string
		for i, col := range writeColumnNames {
			if g := columnGroup[i]; g < 0 || mask&(1<<g) != 0 {
				set = append(set, col+" = ?")
			}
		}
		stmts[mask] = `UPDATE customers SET ` + strings.Join(set, ", ") + ` WHERE id = ?`
	}
	return stmts
}

// updateCustomer is the UPDATE that writes cur over old (the stored row
// id) and its arguments. (customerArgs' values are strings, numbers,
// booleans, nil and sql.NullStrings, so == compares them; the sealed
// value, which differs every time, is in no index group.)
//
// A row in clear (reindex) has no blind indexes yet: every indexed column
// is set.
func (db *DB) updateCustomer(old, cur *customer.Customer, id int64, reindex bool) (string, []any, error) {
	was, err := db.customerArgs(old, false)
	if err != nil {
		return "", nil, err
	}
	now, err := db.customerArgs(cur, true)
	if err != nil {
		return "", nil, err
	}
	mask := 0
	for i, g := range columnGroup {
		if g >= 0 && (reindex || was[i] != now[i]) {
			mask |= 1 << g
		}
	}
	args := now[:0] // the columns to set, kept in place
	for i, g := range columnGroup {
		if g < 0 || mask&(1<<g) != 0 {
			args = append(args, now[i])
		}
	}
	return updateCustomerSQL[mask], append(args, id), nil
}

// errNumberInUse aborts a create whose insert hit a unique constraint, so
// that the transaction is rolled back before the cause is looked up (an
// engine like PostgreSQL refuses further statements in a failed
// transaction).
var errNumberInUse = errors.New("unique constraint on insert")

// CreateCustomer stores a new customer.
func (db *DB) CreateCustomer(ctx context.Context, c *customer.Customer, key *customer.IdempotencyKey) error {
	generate := c.No == ""
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		if generate {
			var err error
			if c.No, err = db.nextCustomerNo(ctx, tx, c.LedgerNo); err != nil {
				return err
			}
		}
		c.Version = 1
		ids := make([]int64, 1)
		if err := db.giveUUIDs(ctx, tx, []*customer.Customer{c}, ids, nil); err != nil {
			return err
		}
		args, err := db.customerArgs(c, true)
		if err != nil {
			return err
		}
		_, err = db.txExec(ctx, tx, insertCustomerSQL, append([]any{ids[0], c.LedgerNo, c.No}, args...)...)
		if db.d.IsUnique(err) {
			return errNumberInUse
		} else if err != nil {
			return err
		}
		// A number of the client's is checked against the erased ones after
		// the insert, in its transaction: on PostgreSQL an erasure of the
		// number may commit while the insert waits for it, so a check before
		// would not see it. (A generated number skips erased ones.)
		if !generate {
			if erased, err := db.wasErased(ctx, tx, c.LedgerNo, c.No); err != nil {
				return err
			} else if erased {
				return customer.Errorf(customer.ECUSTOMEREXISTS, "A customer with this customer number was erased; the number is not given again.")
			}
		}
		if err := db.journalCustomer(ctx, tx, nil, c); err != nil {
			return err
		}
		return db.completeWrite(ctx, tx, key, c)
	})
	if err == nil {
		key.SetWritten(c)
	}
	if !errors.Is(err, errNumberInUse) {
		return err
	}
	// The number is the only key of a new row a client can take (its id
	// and uuids come from sequences): a taken id means a sequence behind
	// its table.
	taken, err := db.numberTaken(ctx, db.Write, c.LedgerNo, c.No)
	if err != nil {
		return db.Err(err)
	}
	if !taken {
		return errors.New("sqlstore: a row id from the customers' sequence is in use; the sequence is behind the table")
	}
	return customer.Errorf(customer.ECUSTOMEREXISTS, "A customer with this customer number already exists.")
}

const (
	nextSeqSQL     = `UPDATE ledgers SET next_customer_seq = next_customer_seq + 1 WHERE no = ? RETURNING next_customer_seq - 1`
	numberTakenSQL = `SELECT count(*) FROM customers WHERE ledger_no = ? AND customer_no = ?`
)

// nextCustomerNo takes the ledger's next generated number that is not in use.
func (db *DB) nextCustomerNo(ctx context.Context, tx *sql.Tx, ledgerNo string) (string, error) {
	for {
		var seq int64
		err := db.txRow(ctx, tx, nextSeqSQL, ledgerNo).Scan(&seq)
		if errors.Is(err, sql.ErrNoRows) {
			return "", customer.Errorf(customer.ENOTFOUND, "No such ledger.")
		} else if err != nil {
			return "", err
		}
		no := customer.GeneratedCustomerNo(seq)
		taken, err := db.numberUsed(ctx, tx, ledgerNo, no)
		if err != nil || !taken {
			return no, err
		}
	}
}

// forgetDrawnUUIDs takes the uuids that old had and c has not (c nil: a
// customer erased) out of the tables of uuids drawn at random before
// migration 0014, where they may be.
func (db *DB) forgetDrawnUUIDs(ctx context.Context, tx *sql.Tx, old, c *customer.Customer) error {
	s, err := db.uuidKeys(ctx, tx)
	if err != nil {
		return err
	}
	if s.drawnCustomers && c == nil {
		if _, err := db.txExec(ctx, tx, `DELETE FROM drawn_uuids WHERE uuid = ?`, old.UUID); err != nil {
			return err
		}
	}
	if !s.drawnAddresses {
		return nil
	}
	_, removed := customer.AddressUUIDChanges(old, c)
	for _, u := range removed {
		if _, err := db.txExec(ctx, tx, `DELETE FROM address_uuids WHERE uuid = ?`, u); err != nil {
			return err
		}
	}
	return nil
}

// queryer reads through the pool or inside a transaction.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (db *DB) numberTaken(ctx context.Context, q queryer, ledgerNo, no string) (bool, error) {
	var n int
	err := db.queryRow(ctx, q, numberTakenSQL, ledgerNo, no).Scan(&n)
	return n > 0, err
}

// queryRow runs a one-row query through q, on a transaction prepared when
// it can be (an unprepared check of an erased number was a tenth of a
// create's CPU).
func (db *DB) queryRow(ctx context.Context, q queryer, query string, args ...any) *sql.Row {
	if tx, ok := q.(*sql.Tx); ok {
		return db.txRow(ctx, tx, query, args...)
	}
	return q.QueryRowContext(ctx, db.Q(query), args...)
}

// Customer returns one customer.
func (db *DB) Customer(ctx context.Context, ledgerNo, no string) (*customer.Customer, error) {
	return db.one(ctx, customerByNoSQL, ledgerNo, no)
}

// CustomerByUUID returns one customer by uuid: the row whose id the uuid
// is made of, or the one that drew it at random before migration 0014.
func (db *DB) CustomerByUUID(ctx context.Context, ledgerNo, uuid string) (*customer.Customer, error) {
	s, err := db.uuidKeys(ctx, db.Read)
	if err != nil {
		return nil, db.Err(err)
	}
	id, ok := s.customers.numberOf(customerPrefix, uuid)
	if !ok {
		return nil, customer.Errorf(customer.ECUSTOMERNOTFOUND, "The customer does not exist.")
	}
	if !s.drawnCustomers {
		return db.one(ctx, customerByIDSQL, id, uuid, ledgerNo)
	}
	return db.one(ctx, customerByUUIDSQL, id, uuid, uuid, ledgerNo)
}

const (
	customerByNoSQL   = `SELECT ` + customerColumns + ` FROM customers WHERE ledger_no = ? AND customer_no = ?`
	customerByIDSQL   = `SELECT ` + customerColumns + ` FROM customers WHERE id = ? AND uuid = ? AND ledger_no = ?`
	customerByUUIDSQL = `SELECT ` + customerColumns + ` FROM customers
		WHERE id IN (?, (SELECT id FROM drawn_uuids WHERE uuid = ?)) AND uuid = ? AND ledger_no = ?`
)

func (db *DB) one(ctx context.Context, query string, args ...any) (*customer.Customer, error) {
	_, c, err := db.scanCustomer(db.readRow(ctx, query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		if query == customerByNoSQL {
			return nil, db.Err(db.absent(ctx, db.Read, args[0].(string), args[1].(string)))
		}
		return nil, customer.Errorf(customer.ECUSTOMERNOTFOUND, "The customer does not exist.")
	}
	return c, db.Err(err)
}

// UpdateCustomer reads, changes and writes one customer in one transaction.
func (db *DB) UpdateCustomer(ctx context.Context, ledgerNo, no string, fn func(*customer.Customer) error, key *customer.IdempotencyKey) (*customer.Customer, error) {
	var c *customer.Customer
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if c, err = db.updateInTx(ctx, tx, ledgerNo, no, fn); err != nil {
			return err
		}
		return db.completeWrite(ctx, tx, key, c)
	})
	if err != nil {
		return nil, err
	}
	key.SetWritten(c)
	return c, nil
}

// updateInTx reads a customer, lets fn change it and writes it back with
// its version raised and its change journaled, all within tx.
func (db *DB) updateInTx(ctx context.Context, tx *sql.Tx, ledgerNo, no string, fn func(*customer.Customer) error) (*customer.Customer, error) {
	id, cur, clear, err := db.scanCustomerRow(db.txRow(ctx, tx, db.forUpdate(customerByNoSQL+forUpdateMark), ledgerNo, no))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.absent(ctx, tx, ledgerNo, no)
	} else if err != nil {
		return nil, err
	}
	old := cur.Clone()
	if err := fn(cur); err != nil {
		return nil, err
	}
	cur.Version++
	if err := db.giveUUIDs(ctx, tx, []*customer.Customer{cur}, nil, []*customer.Customer{old}); err != nil {
		return nil, err
	}
	if err := db.forgetDrawnUUIDs(ctx, tx, old, cur); err != nil {
		return nil, err
	}
	query, args, err := db.updateCustomer(old, cur, id, clear)
	if err != nil {
		return nil, err
	}
	if _, err = db.txExec(ctx, tx, query, args...); err != nil {
		return nil, err
	}
	return cur, db.journalCustomer(ctx, tx, old, cur)
}

// FindCustomers returns customers carrying a national identifier. It is
// an index lookup of a few rows, which does not follow the cancellation of
// ctx (see readRow).
func (db *DB) FindCustomers(ctx context.Context, ledgerNo string, id customer.NationalID, limit int) ([]*customer.Customer, error) {
	idx, err := db.index(indexRegNo, ledgerNo, id.RegNo)
	if err != nil {
		return nil, err
	}
	return db.list(context.WithoutCancel(ctx), `SELECT `+customerColumns+` FROM customers WHERE ledger_no = ? AND reg_index = ? AND reg_country = ? ORDER BY id LIMIT ?`,
		ledgerNo, idx, id.CountryCode, limit)
}

// ListCustomers returns a filtered page of customers, newest first.
func (db *DB) ListCustomers(ctx context.Context, ledgerNo string, f customer.ListFilter) ([]*customer.Customer, error) {
	where := []string{"ledger_no = ?"}
	args := []any{ledgerNo}
	if f.NamePrefix != "" {
		// Byte-wise range over the folded name: every string with the
		// prefix sorts between the prefix and the prefix followed by the
		// largest code point.
		where = append(where, "name_key >= ? AND name_key < ?")
		args = append(args, f.NamePrefix, f.NamePrefix+"\U0010FFFF")
	}
	for _, eq := range []struct{ col, purpose, v string }{{"email_index", indexEmail, f.Email}, {"msisdn_index", indexMSISDN, f.MSISDN},
		{"reg_index", indexRegNo, f.RegNo}, {"legal_zip", "", f.ZipCode}} {
		if eq.v == "" {
			continue
		}
		var v any = eq.v
		if eq.purpose != "" {
			var err error
			if v, err = db.index(eq.purpose, ledgerNo, eq.v); err != nil {
				return nil, err
			}
		}
		where = append(where, eq.col+" = ?")
		args = append(args, v)
	}
	args = append(args, f.Limit, f.Skip)
	return db.list(ctx, `SELECT `+customerColumns+` FROM customers WHERE `+strings.Join(where, " AND ")+
		` ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`, args...)
}

func (db *DB) list(ctx context.Context, query string, args ...any) ([]*customer.Customer, error) {
	rows, err := db.readRows(ctx, query, args...)
	if err != nil {
		return nil, db.Err(err)
	}
	defer rows.Close()
	var cs []*customer.Customer
	for rows.Next() {
		_, c, err := db.scanCustomer(rows)
		if err != nil {
			return nil, db.Err(err)
		}
		cs = append(cs, c)
	}
	return cs, db.Err(rows.Err())
}
