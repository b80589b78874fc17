"""How the bulk writer cuts records into chunks: by customers, and by orders for the IN lists."""

import pytest

from core.customers.bulk import CHUNK_CUSTOMERS, chunks
from core.customers.records import CustomerRecord


def _records(*order_counts: int) -> list[CustomerRecord]:
    return [CustomerRecord(external_id=f"c{i}", orders=[{"number": f"{i}-{n}", "status": "new"} for n in range(count)])
            for i, count in enumerate(order_counts)]


@pytest.mark.parametrize(("order_counts", "max_orders", "sizes"), [
    pytest.param((0,) * (CHUNK_CUSTOMERS * 2 + 1), 999, [CHUNK_CUSTOMERS, CHUNK_CUSTOMERS, 1], id="by-customers"),
    pytest.param((3, 3, 3, 3), 7, [2, 2], id="by-orders"),
    pytest.param((2, 10, 2), 5, [1, 1, 1], id="a-big-customer-alone"),
    pytest.param((), 5, [], id="nothing"),
])
def test_chunks_keep_order_and_bounds(order_counts, max_orders, sizes):
    records = _records(*order_counts)
    cut = list(chunks(records, max_orders=max_orders))
    assert [len(chunk) for chunk in cut] == sizes
    assert [record for chunk in cut for record in chunk] == records
