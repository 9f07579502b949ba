// Ponder's view of one deployment of the Originals registries. bench/indexer.py sets the environment: the node
// (PONDER_RPC_URL_31337), the registries' addresses and the deployment's first block (from the deployment manifest),
// and the database (DATABASE_URL; the schema is given with `ponder start --schema`).
import { createConfig } from "ponder";

import { CertificateRegistryAbi, PartnerRegistryAbi } from "./abis";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const startBlock = Number(required("ORIGINALS_START_BLOCK"));

export default createConfig({
  database: { kind: "postgres", connectionString: required("DATABASE_URL") },
  chains: {
    anvil: { id: 31337, rpc: required("PONDER_RPC_URL_31337") },
  },
  contracts: {
    PartnerRegistry: {
      chain: "anvil",
      abi: PartnerRegistryAbi,
      address: required("ORIGINALS_PARTNER_REGISTRY") as `0x${string}`,
      startBlock,
    },
    CertificateRegistry: {
      chain: "anvil",
      abi: CertificateRegistryAbi,
      address: required("ORIGINALS_CERTIFICATE_REGISTRY") as `0x${string}`,
      startBlock,
    },
  },
});
