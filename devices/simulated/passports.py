"""A simulated document feed: each traveller presents a photographed passport page and a chip.

The page is a synthetic TD3 data page photographed at the booth (`edge.mrz.synth`: guilloche,
printed fields, perspective, light, blur, noise, JPEG), and the chip is a strict virtual
ePassport (`devices.simulated.epassport`) signed by a test CSCA, reached through the same card
transport interface as a real PC/SC reader. The booth's real OCR and chip stack read them.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

import numpy as np

from devices.passport_reader import Presented
from devices.simulated.travellers import TravellerGenerator

logger = logging.getLogger(__name__)


def _yymmdd(iso: str) -> str:
    return dt.date.fromisoformat(iso).strftime("%y%m%d")


@dataclass
class SimulatedPassportFeed:
    """Presents one synthetic traveller's passport (page + chip) per call."""

    seed: int | None = None
    level: float = 0.5  # photographic degradation of the page (0 clean .. 1 the OCR bench's)
    with_chip: bool = True
    travellers: TravellerGenerator = field(init=False)

    def __post_init__(self) -> None:
        from devices.simulated.epassport.generator import TestPKI

        self.travellers = TravellerGenerator(self.seed)
        self.rng = np.random.default_rng(self.seed)
        self.pki = TestPKI.create()
        self.presented = 0

    def present(self) -> Presented:
        from devices.simulated.epassport.chip import EPassportChip
        from devices.simulated.epassport.direct import DirectTransport
        from devices.simulated.epassport.generator import make_passport, td3_mrz
        from edge.mrz.synth import make_sample

        r = self.travellers.reading()
        mrz = td3_mrz(
            r.surname, r.given_names, r.document_number, r.nationality, _yymmdd(r.birth_date),
            r.sex, _yymmdd(r.expiry_date), issuer=r.issuing_state,
        )  # fmt: skip
        lines = [mrz[:44], mrz[44:]]
        page = make_sample(self.rng, "TD3", lines=lines, level=self.level, upside_down=False).image
        self.presented += 1
        if not self.with_chip:
            return Presented(page)
        passport = make_passport(self.pki, mrz=mrz, aa_kind=None, chip_auth=False)
        return Presented(page, DirectTransport(EPassportChip(passport)))

    def trust(self):
        """A trust store holding the test CSCA that signed every simulated chip."""
        from devices.emrtd.pki import TrustStore, load_certificates

        store = TrustStore()
        for cert in load_certificates(self.pki.csca_pem()):
            store.add_certificate(cert)
        return store

    def status(self) -> str:
        return "ok"
