// Ponder's view of one deployment of the Originals registries. bench/_ponder.py sets the environment: the node
// (ORIGINALS_RPC_URL, ORIGINALS_CHAIN_ID), the registries' addresses and the deployment's first block (from the
// deployment manifest), and the database (DATABASE_URL; the schema is given with `ponder start --schema`). The RPC
// cache stays on (Ponder's default): the benchmark's "cold" runs start from a new database, its "cached" ones from a
// database whose cache a cold run filled.
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
    anvil: { id: Number(required("ORIGINALS_CHAIN_ID")), rpc: required("ORIGINALS_RPC_URL") },
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
