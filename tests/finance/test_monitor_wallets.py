"""Crypto-channel transactions with listed wallet counterparties alert in the same flow as
listed names: the wallet addresses are looked up by their format's rules against the
addresses the loaded lists attribute to listed holders."""

from __future__ import annotations

from pathlib import Path

from cthub.core.hub import Hub
from cthub.finance import monitor_file
from cthub.lists import load as load_list
from tests import factories

XML = Path(__file__).parents[1] / "fixtures" / "ownership" / "addresses" / "sdn-crypto-sample.xml"
LISTED_BTC = "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h"


def test_crypto_payment_to_a_listed_wallet_alerts(hub: Hub, tmp_path: Path) -> None:
    load_list(hub, factories.OPERATOR, "ofac-xml", XML, rescreen=False)
    path = tmp_path / "tx.csv"
    path.write_text(
        "tx_id,timestamp,sender,receiver,amount,currency,channel\n"
        f"c1,2026-03-01T09:00:00Z,CUST-1,{LISTED_BTC},1500.00,EUR,crypto\n"
        # another case of a base58 address is another address: no hit
        f"c2,2026-03-01T10:00:00Z,CUST-2,{LISTED_BTC.lower()},1500.00,EUR,crypto\n"
        # the listed address as an account of a bank transfer is not a wallet leg
        f"c3,2026-03-01T11:00:00Z,CUST-3,{LISTED_BTC},1500.00,EUR,transfer\n"
        "c4,2026-03-01T12:00:00Z,CUST-4,bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq,9.00,EUR,crypto\n",
        encoding="utf-8",
    )
    analyst = factories.member(hub, "analyst")
    result = monitor_file(hub, analyst.actor, path)
    alerted = {a["account"]: a for a in result.alerts}
    assert "CUST-1" in alerted
    assert "sanctioned_wallet" in alerted["CUST-1"]["rules"]
    assert not {"CUST-2", "CUST-3", "CUST-4"} & {
        h["account"] for h in result.hits if h["rule"] == "sanctioned_wallet"
    }
    (hit,) = [h for h in result.hits if h["rule"] == "sanctioned_wallet"]
    assert LISTED_BTC in hit["detail"]
    assert '"side":"receiver"' in hit["detail"].replace(" ", "")
