// The registries' ABIs, read from the files the Python side commits (ledger/abi/, exported by `make abi`), so Ponder
// and our indexer always decode the same events.
import CertificateRegistry from "../../../ledger/abi/CertificateRegistry.json";
import PartnerRegistry from "../../../ledger/abi/PartnerRegistry.json";
import type { Abi } from "viem";

export const PartnerRegistryAbi = PartnerRegistry as Abi;
export const CertificateRegistryAbi = CertificateRegistry as Abi;
