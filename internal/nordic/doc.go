// Package nordic holds pure functions for the identifiers a Nordic customer registry checks:
// personal and organisation numbers of Sweden, Norway, Denmark and Finland, VAT numbers,
// phone numbers, postal codes, country and language codes, bank accounts, IBAN, BIC and
// currencies.
//
// Every parser returns the value in one canonical form or an error whose text is short,
// lower-case and safe to show to an API user as the message of a field. No error ever
// contains the input, so identity numbers cannot reach a log through an error. Nothing here
// does I/O or reads the clock: functions that need the date take it as an argument.
package nordic
