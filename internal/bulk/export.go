package bulk

import (
	"bufio"
	"context"
	"io"

	"github.com/kund/kund/internal/customer"
	"github.com/kund/kund/internal/httpapi"
)

// Export writes every customer of ledgerNo to w as NDJSON, one create
// body a line, in creation order, streaming: `kund import` of the output
// recreates them (with new uuids). It returns how many it wrote.
func Export(ctx context.Context, svc *customer.Service, store customer.BulkStore, ledgerNo string, w io.Writer) (int, error) {
	if _, err := svc.Ledger(ctx, ledgerNo); err != nil {
		return 0, err
	}
	bw := bufio.NewWriterSize(w, 256<<10)
	n := 0
	var buf []byte
	err := store.EachCustomer(ctx, ledgerNo, func(c *customer.Customer) error {
		buf = httpapi.AppendCreateBody(buf[:0], c)
		n++
		_, err := bw.Write(buf)
		return err
	})
	if err != nil {
		return n, err
	}
	return n, bw.Flush()
}
