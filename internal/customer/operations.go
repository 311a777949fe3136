package customer

// Operation rels of the native API's hypermedia. Which ones a
// representation lists depends on the caller's scopes and on state.
const (
	RelPartialUpdate = "partial-update-customer"
	RelAddBilling    = "add-billing-address"
	RelUpdate        = "update"
	RelDelete        = "delete"
)

// CustomerOperations lists what caller may do with c now.
func CustomerOperations(caller Caller, l *Ledger, c *Customer) []string {
	var ops []string
	if caller.Can(ScopeWrite) {
		ops = append(ops, RelPartialUpdate)
		if c.BillingAddress == nil {
			ops = append(ops, RelAddBilling)
		}
	}
	return ops
}

// LegalAddressOperations lists what caller may do with c's legal address.
func LegalAddressOperations(caller Caller, l *Ledger, c *Customer) []string {
	var ops []string
	if caller.Can(ScopeWrite) {
		ops = append(ops, RelUpdate)
	}
	if caller.Can(ScopeRegister) && c.LegalEntity == Consumer && c.NationalID != nil {
		ops = append(ops, RelUpdateFromRegister)
	}
	return ops
}

// BillingAddressOperations lists what caller may do with c's billing
// address.
func BillingAddressOperations(caller Caller, l *Ledger, c *Customer) []string {
	if caller.Can(ScopeWrite) && c.BillingAddress != nil {
		return []string{RelUpdate, RelDelete}
	}
	return nil
}
