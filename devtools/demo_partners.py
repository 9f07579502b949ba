"""The demo consortium's partners, as data: fifty-five Saxon organisations of all eight kinds, plus one applicant.

Fictional but plausible names, each with an ``.example`` domain (reserved by RFC 2606, so no link leads to a real
site). The first four keep the devnet accounts 4 to 7 the demo has always used (the textile mill's key backs the demo
API key, the gallery and the university founder issue the demo certificates), the three that join the council have
anvil's keys 10 to 12 (so the README's walkthrough can sign as them); every other partner's key is derived from its
domain (:func:`demo_key`). None of them needs ether (only the first four, anvil's funded accounts, have any):
everything a partner does in the story is a signed action that the relayer sends and pays for. Who plays which part
in the consortium's story (:mod:`devtools.demo_consortium`) is said here too, by domain, so a reader sees the whole
cast in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_hash.auto import keccak

from ledger.events import COUNCIL, ISSUER
from ledger.events import OrganisationType as T

BOTH = ISSUER | COUNCIL


@dataclass(frozen=True)
class DemoPartner:
    """One organisation of the demo consortium; ``account`` is a devnet account index, or None for a derived key."""

    org_type: T
    name: str
    domain: str
    rights: int
    account: int | None = None


def demo_key(partner: DemoPartner) -> str:
    """The partner's private key (0x hex): a devnet account's, or keccak256 of a label naming its domain.

    Deterministic, so a fresh devnet seeds the same addresses every time; public, so devnets only.
    """
    if partner.account is not None:
        from ledger.chain.devkeys import devnet_key

        return devnet_key(partner.account)
    return "0x" + keccak(f"originals demo partner {partner.domain}".encode()).hex()


PARTNERS: tuple[DemoPartner, ...] = (
    # The demo's first four, with their devnet accounts (certificates and the demo API key use them).
    DemoPartner(T.SME, "Weberei Lindner Textile Mill", "lindner-textil.example", ISSUER, account=4),
    DemoPartner(T.ASSOCIATION, "Kunstverein Gallery North", "gallery-north.example", ISSUER, account=5),
    DemoPartner(T.RESEARCH_INSTITUTE, "Institute for Material Research", "imr.example", 0, account=6),
    DemoPartner(T.MINISTRY, "Ministry of Culture and Heritage", "culture.example", 0, account=7),
    # Joining the council with the founders: anvil's keys 10-12 (anvil funds only 0-9; signers need no ether), so a
    # newcomer following the README can sign as any council member with `--devnet-account N`.
    DemoPartner(T.PUBLIC_ADMINISTRATION, "Stadtverwaltung Mittweida", "mittweida.example", BOTH, account=10),
    DemoPartner(T.UNIVERSITY, "TU Bergakademie Freiberg", "tu-freiberg.example", BOTH, account=11),
    DemoPartner(
        T.MINISTRY, "Staatsministerium für Wissenschaft, Kultur und Tourismus", "smwk.example", BOTH, account=12
    ),
    # SMEs: the makers of originals.
    DemoPartner(T.SME, "Textilwerk Crimmitschau GmbH", "textilwerk-crimmitschau.example", ISSUER),
    DemoPartner(T.SME, "Spitzenmanufaktur Plauen GmbH", "plauener-spitze.example", ISSUER),
    DemoPartner(T.SME, "Holzspielwaren Seiffen GmbH", "holzspielwaren-seiffen.example", ISSUER),
    DemoPartner(T.SME, "Uhrenatelier Kessler Glashütte", "uhrenatelier-kessler.example", ISSUER),
    DemoPartner(T.SME, "Porzellanmalerei Triebischtal GmbH", "porzellanmalerei-triebischtal.example", ISSUER),
    DemoPartner(T.SME, "Orgelbau Vogtland GmbH", "orgelbau-vogtland.example", 0),
    DemoPartner(T.SME, "Spedition Vogtland Logistik GmbH", "vogtland-logistik.example", ISSUER),
    DemoPartner(T.SME, "Maschinenbau Roßwein GmbH", "maschinenbau-rosswein.example", ISSUER),
    DemoPartner(T.SME, "Druckerei Zwickauer Land GmbH", "druckerei-zwickauer-land.example", 0),
    DemoPartner(T.SME, "Senfmühle Bautzen GmbH", "senfmuehle-bautzen.example", ISSUER),
    DemoPartner(T.SME, "Zinngießerei Freiberg GmbH", "zinngiesserei-freiberg.example", ISSUER),
    DemoPartner(T.SME, "Instrumentenbau Markneukirchen GmbH", "instrumentenbau-markneukirchen.example", ISSUER),
    # Enterprises.
    DemoPartner(T.ENTERPRISE, "Sachsen Automotive Components AG", "sac-components.example", ISSUER),
    DemoPartner(T.ENTERPRISE, "Elbtal Halbleiter GmbH", "elbtal-halbleiter.example", ISSUER),
    DemoPartner(T.ENTERPRISE, "Mitteldeutsche Energieversorgung AG", "mitteldeutsche-energie.example", 0),
    DemoPartner(T.ENTERPRISE, "Leipziger Verlagshaus AG", "leipziger-verlagshaus.example", ISSUER),
    DemoPartner(T.ENTERPRISE, "Genossenschaftsbank Mittelsachsen eG", "gb-mittelsachsen.example", 0),
    DemoPartner(T.ENTERPRISE, "Dresdner Pharmawerke GmbH", "dresdner-pharma.example", ISSUER),
    DemoPartner(T.ENTERPRISE, "Chemnitzer Werkzeugmaschinen AG", "cwm-chemnitz.example", ISSUER),
    # Public administrations.
    DemoPartner(T.PUBLIC_ADMINISTRATION, "Stadtverwaltung Freiberg", "freiberg.example", ISSUER),
    DemoPartner(T.PUBLIC_ADMINISTRATION, "Landratsamt Zwickau", "landkreis-zwickau.example", ISSUER),
    DemoPartner(T.PUBLIC_ADMINISTRATION, "Standesamt Görlitz", "goerlitz.example", ISSUER),
    DemoPartner(T.PUBLIC_ADMINISTRATION, "Landesamt für Denkmalpflege Sachsen", "denkmalpflege-sachsen.example", 0),
    DemoPartner(T.PUBLIC_ADMINISTRATION, "Stadtarchiv Bautzen", "stadtarchiv-bautzen.example", ISSUER),
    DemoPartner(T.PUBLIC_ADMINISTRATION, "Gemeindeverwaltung Seiffen", "seiffen.example", 0),
    DemoPartner(T.PUBLIC_ADMINISTRATION, "Landratsamt Mittelsachsen", "landkreis-mittelsachsen.example", ISSUER),
    # Universities.
    DemoPartner(T.UNIVERSITY, "Hochschule Mittweida", "hs-mittweida.example", ISSUER),
    DemoPartner(T.UNIVERSITY, "Westsächsische Hochschule Zwickau", "whz.example", ISSUER),
    DemoPartner(T.UNIVERSITY, "Hochschule Zittau/Görlitz", "hszg.example", ISSUER),
    DemoPartner(T.UNIVERSITY, "Universität Leipzig, Weiterbildung", "weiterbildung-leipzig.example", ISSUER),
    DemoPartner(T.UNIVERSITY, "Hochschule für Technik und Wirtschaft Dresden", "htw-dresden.example", ISSUER),
    # Research institutes.
    DemoPartner(T.RESEARCH_INSTITUTE, "Institut für Ressourcentechnologie Freiberg", "irt-freiberg.example", ISSUER),
    DemoPartner(T.RESEARCH_INSTITUTE, "Textilforschungsinstitut Chemnitz", "tfi-chemnitz.example", ISSUER),
    DemoPartner(T.RESEARCH_INSTITUTE, "Institut für Polymerforschung Dresden", "polymer-dresden.example", ISSUER),
    DemoPartner(T.RESEARCH_INSTITUTE, "Institut für Umformtechnik Chemnitz", "umformtechnik-chemnitz.example", 0),
    DemoPartner(T.RESEARCH_INSTITUTE, "Forschungszentrum Blockchain Mittweida", "fzb-mittweida.example", ISSUER),
    # NGOs.
    DemoPartner(T.NGO, "Fairer Handel Sachsen e.V.", "fairhandel-sachsen.example", 0),
    DemoPartner(T.NGO, "Stiftung Industriekultur Sachsen", "industriekultur-stiftung.example", ISSUER),
    DemoPartner(T.NGO, "Umweltnetzwerk Erzgebirge e.V.", "umweltnetzwerk-erzgebirge.example", 0),
    DemoPartner(T.NGO, "Bürgerstiftung Dresden", "buergerstiftung-dresden.example", 0),
    DemoPartner(T.NGO, "Kinderhilfe Lausitz e.V.", "kinderhilfe-lausitz.example", 0),
    # Associations.
    DemoPartner(T.ASSOCIATION, "Handwerkskammer Chemnitz", "hwk-chemnitz.example", ISSUER),
    DemoPartner(T.ASSOCIATION, "Verband der Sächsischen Textilindustrie e.V.", "textilverband-sachsen.example", ISSUER),
    DemoPartner(T.ASSOCIATION, "Kreativwerkstatt Plauen e.V.", "kreativwerkstatt-plauen.example", 0),
    DemoPartner(T.ASSOCIATION, "Bergbauverein Altenberg e.V.", "bergbauverein-altenberg.example", 0),
    DemoPartner(T.ASSOCIATION, "Industrie- und Handelskammer Mittelsachsen", "ihk-mittelsachsen.example", ISSUER),
    # Ministries.
    DemoPartner(T.MINISTRY, "Staatsministerium für Wirtschaft, Arbeit und Verkehr", "smwa.example", 0),
    DemoPartner(T.MINISTRY, "Staatsministerium für Regionalentwicklung", "smr.example", 0),
)
"""Every partner the demo admits by council vote, in the order they apply (the council's three first)."""

APPLICANT = DemoPartner(T.SME, "Klöppelwerkstatt Annaberg", "kloeppelwerkstatt-annaberg.example", ISSUER)
"""Applies last; its admission is still being voted on."""

# The parts some partners play after their admission (see devtools.demo_consortium).
SUSPENDED = "vogtland-logistik.example"
"""Suspended by council vote; a later proposal to expel it was voted down (the failed proposal)."""
LEFT = "kreativwerkstatt-plauen.example"
"""Left the consortium by a signed Leave."""
ISSUER_EXPIRED = "imr.example"
"""A proposal to grant it the issuer right had support, but no majority before its deadline (the expired proposal)."""
ISSUER_PENDING = "denkmalpflege-sachsen.example"
"""A proposal to grant it the issuer right has its majority and waits to be executed (open)."""
RENAMED = "maschinenbau-rosswein.example"
"""A proposal to change its name is open, with the proposer's vote only."""
NEW_NAME = "Roßwein Antriebstechnik GmbH"
"""The name that proposal would give it."""


def by_domain(domain: str) -> DemoPartner:
    """The partner with this domain (the applicant too)."""
    return next(p for p in (*PARTNERS, APPLICANT) if p.domain == domain)
